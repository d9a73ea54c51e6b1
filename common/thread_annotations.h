// common/thread_annotations.h: Clang's thread-safety annotations (-Wthread-safety), written as
// macros so that GCC, which has no such analysis, compiles them away. They document which mutex
// guards which state; under Clang they are checked where the mutex type is annotated.
#pragma once

#if defined(__clang__)
#define HERALD_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define HERALD_THREAD_ANNOTATION(x)
#endif

// The member may be read or written only while holding `mutex`.
#define HERALD_GUARDED_BY(mutex) HERALD_THREAD_ANNOTATION(guarded_by(mutex))
// The pointee may be used only while holding `mutex`.
#define HERALD_PT_GUARDED_BY(mutex) HERALD_THREAD_ANNOTATION(pt_guarded_by(mutex))
// The function must be called with `mutex` held.
#define HERALD_REQUIRES(...) HERALD_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
// The function must not be called with `mutex` held (it takes it itself).
#define HERALD_EXCLUDES(...) HERALD_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
