#ifndef CSMED_COPENBLAS_SHIM_H
#define CSMED_COPENBLAS_SHIM_H

#include <stddef.h>
/* CBLAS plus OpenBLAS extras: openblas_set_num_threads, openblas_get_num_threads,
   openblas_get_corename, openblas_get_config. */
#include <cblas.h>

/*
 * LAPACK (Fortran interface). Debian's OpenBLAS exports the Fortran LAPACK symbols but not
 * LAPACKE (it is built with NO_LAPACKE), so the few routines we need are declared here.
 * Fortran conventions: column-major matrices, every argument by pointer, and one hidden
 * trailing `size_t` length per CHARACTER argument (gfortran ABI; LAPACKE passes them too).
 */

/* Singular value decomposition, divide and conquer: A = U * diag(S) * VT. */
void sgesdd_(const char *jobz, const int *m, const int *n, float *a, const int *lda,
             float *s, float *u, const int *ldu, float *vt, const int *ldvt,
             float *work, const int *lwork, int *iwork, int *info, size_t jobz_len);
void dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda,
             double *s, double *u, const int *ldu, double *vt, const int *ldvt,
             double *work, const int *lwork, int *iwork, int *info, size_t jobz_len);

/* Symmetric eigendecomposition, divide and conquer. */
void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a, const int *lda,
             float *w, float *work, const int *lwork, int *iwork, const int *liwork,
             int *info, size_t jobz_len, size_t uplo_len);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork,
             int *info, size_t jobz_len, size_t uplo_len);

/* QR factorisation and explicit Q. */
void sgeqrf_(const int *m, const int *n, float *a, const int *lda, float *tau,
             float *work, const int *lwork, int *info);
void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau,
             double *work, const int *lwork, int *info);
void sorgqr_(const int *m, const int *n, const int *k, float *a, const int *lda,
             const float *tau, float *work, const int *lwork, int *info);
void dorgqr_(const int *m, const int *n, const int *k, double *a, const int *lda,
             const double *tau, double *work, const int *lwork, int *info);

#endif
