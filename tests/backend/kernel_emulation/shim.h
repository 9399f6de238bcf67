// Just enough of CUDA to run autograd_nlp/cuda_kernels.py's kernels on the
// CPU: every thread of a block is a std::thread, __syncthreads a barrier,
// __shared__ memory a static array (blocks run one after the other).
#include <barrier>
#include <cmath>
#include <thread>
#include <vector>
#include <atomic>
using std::exp; using std::fabs; using std::log; using std::log1p; using std::sqrt;
using std::tanh;
// atomicAdd: the threads of an emulated block run at once
template <class T> T atomicAdd(T* address, T value) {
    return std::atomic_ref<T>(*address).fetch_add(value);
}
struct Dim { int x; };
thread_local Dim threadIdx, blockIdx;
Dim blockDim;
std::barrier<>* block_barrier;
#define __syncthreads() block_barrier->arrive_and_wait()
#define __global__
#define __shared__ static
