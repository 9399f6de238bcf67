// C entry points that launch the kernels of KERNEL_SOURCE on emulated blocks.
#include "shim.h"
#include KERNEL_SOURCE

template <class F> static void launch(long long blocks, int threads, F kernel) {
    blockDim.x = threads;
    for (long long b = 0; b < blocks; ++b) {
        std::barrier<> barrier(threads);
        block_barrier = &barrier;
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([=] { threadIdx.x = t; blockIdx.x = (int)b; kernel(); });
        for (auto& th : pool) th.join();
    }
}
static long long cover(long long n) { return (n + BLOCK - 1) / BLOCK; }

extern "C" {
void run_lstm_forward(T* act, const T* c_prev, T* h, T* c, T* tanh_c, int n, int H) {
    launch(cover(n), BLOCK, [=] { lstm_forward(act, c_prev, h, c, tanh_c, n, H); });
}
void run_lstm_backward(T* act, const T* tanh_c, const T* c_prev, const T* dh, const T* dc,
                       T* dc_prev, int n, int H, int has_dh, int has_dc) {
    launch(cover(n), BLOCK, [=] {
        lstm_backward(act, tanh_c, c_prev, dh, dc, dc_prev, n, H, has_dh, has_dc); });
}
void run_softmax_ce_forward(const T* x, const long long* t, const unsigned char* valid,
                            int has_valid, T* probs, T* losses, int N, int C) {
    launch(N, BLOCK, [=] { softmax_ce_forward(x, t, valid, has_valid, probs, losses, C); });
}
void run_softmax_ce_grad(const T* probs, const long long* t, T* g, long long n, int C) {
    launch(cover(n), BLOCK, [=] { softmax_ce_grad(probs, t, g, n, C); });
}
}
