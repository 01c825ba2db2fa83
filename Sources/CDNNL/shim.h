#ifndef CSMED_CDNNL_SHIM_H
#define CSMED_CDNNL_SHIM_H

/* oneDNN's C API: dnnl_gemm_u8s8s32 (row-major int8 GEMM with int32 accumulation). */
#include <oneapi/dnnl/dnnl.h>

/* Debian's oneDNN threads with OpenMP (libgomp). csmed splits the work over its own threads, so
   each call runs on one OpenMP thread (set per calling thread), as OpenBLAS runs on one. */
void omp_set_num_threads(int num_threads);

#endif
