import Corpus
import Foundation
import Store
import Testing
import TestSupport

@testable import Workflows

/// Builds the meta-dataset from the real public copies in `shared/corpora` and checks it against
/// the sources. Skipped (with a message) where the corpora are not beside the repository.
@Suite(.serialized) struct CorporaIntegrationTests {
  static let corpora = TestSupport.corpora()

  static func build() throws -> (BuildWorkflow.Report, URL) {
    let folder = try TestSupport.temporaryDirectory("corpora")
    let database = folder.appendingPathComponent("csmed.sqlite")
    let report = try BuildWorkflow.run(
      BuildWorkflow.Options(
        manifests: TestSupport.repositoryRoot().appendingPathComponent("manifests"), mirror: corpora,
        cache: folder.appendingPathComponent("raw"), database: database, allowDownload: false))
    return (report, database)
  }

  @Test("the nine collections build from the mirror and agree with the sources", .enabled(if: corpora != nil, "shared/corpora is absent"))
  func realCorpora() throws {
    let (report, database) = try Self.build()
    let built = Set(report.collections.filter(\.built).map(\.id))
    #expect(built == ["cohen2006", "sas2010", "swift", "sigir2017", "clef_tar2017", "clef_tar2018", "clef_tar2019", "sr_updates", "hannousse"])
    let csmedFT = try #require(report.collections.first { $0.id == "csmed_ft" })
    #expect(!csmedFT.built && csmedFT.unavailableReason?.contains("CSMeD-FT-train.csv") == true)

    let store = try DatasetStore.open(at: database.path)
    let byReview = try store.statistics(by: .review)
    let copd = try #require(byReview.first { $0.group == "sas2010/copd" })
    #expect(copd.documents == 1_606 && copd.includedTA == 196)
    let hannousse = byReview.filter { $0.collection == "hannousse" }
    #expect(hannousse.count == 7)
    #expect(hannousse.reduce(0) { $0 + $1.documents } >= 2_900)
    // Each protocol's research questions and criteria (JSON lists in the pinned files) are kept;
    // Ghasemi-2019's protocol lists exclusion criteria only.
    for review in ["Alhammad-2018", "Ghasemi-2019", "Goulao-2016", "Guinea-2016", "Santos-2018", "Shahin-2017", "Yang-2016"] {
      let criteria = try store.criteriaText(ofReview: try store.review(matching: review).id) ?? ""
      #expect(criteria.contains("research questions: ") && criteria.contains("exclusion: "), "\(review)")
    }
    #expect(try store.criteriaText(ofReview: try store.review(matching: "Alhammad-2018").id)?
      .contains("inclusion: The paper deals with gamification.\nThe paper deals with SE education.") == true)
    // Cohen's ASReview CSVs: 3,423 records over 7 reviews, both stages labelled.
    let cohen = try #require(try store.statistics(by: .collection).first { $0.collection == "cohen2006" })
    #expect(cohen.reviews == 7 && cohen.documents == 3_423)
    #expect(cohen.includedTA > cohen.includedFT && cohen.includedFT > 0)
    #expect(try store.review(matching: "OralHypoglycemics").title == "Oral Hypoglycemics")
    // CLEF 2017 CD010386: 626 judged documents, 625 with text.
    let cd010386 = try #require(byReview.first { $0.group == "clef_tar2017/CD010386" })
    #expect(cd010386.documents == 626 && cd010386.idsOnly == 1)
    // SIGIR2017: 177 reviews from the qrels, values 2 and 4 included (2,445 + 566 judgements).
    let sigir = try #require(try store.statistics(by: .collection).first { $0.collection == "sigir2017" })
    #expect(sigir.reviews == 177 && sigir.includedTA == 3_011)
    #expect(try store.reviews(inSplit: "csmed_basic_train").count == 7 + 1 + 1 + 7)
    #expect(try store.reviews(inSplit: "cochrane_dev").contains { $0.cochraneID == "CD008760" })
  }
}
