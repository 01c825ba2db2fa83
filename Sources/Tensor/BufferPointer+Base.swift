extension UnsafeBufferPointer {
  /// `baseAddress` for a buffer known to be backed by memory (a non-empty array).
  /// - Precondition: the base address is not nil (a programmer error otherwise).
  @inlinable public var requiredBaseAddress: UnsafePointer<Element> {
    guard let p = baseAddress else { preconditionFailure("buffer has no base address") }
    return p
  }
}

extension UnsafeMutableBufferPointer {
  /// `baseAddress` for a buffer known to be backed by memory (a non-empty array).
  /// - Precondition: the base address is not nil (a programmer error otherwise).
  @inlinable public var requiredBaseAddress: UnsafeMutablePointer<Element> {
    guard let p = baseAddress else { preconditionFailure("buffer has no base address") }
    return p
  }
}
