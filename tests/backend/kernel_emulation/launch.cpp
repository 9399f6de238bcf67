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
// run_<kernel>(blocks, the kernel's arguments): what cuda_kernels._launch does.
extern "C" {
void run_lstm_forward(long long blocks, T* act, const T* h_prev, const T* Wh, const T* rec,
                      const T* c_prev, T* h, T* c, T* tanh_c, int B, int H, int has_h,
                      int has_c_prev) {
    launch(blocks, BLOCK, [=] {
        lstm_forward(act, h_prev, Wh, rec, c_prev, h, c, tanh_c, B, H, has_h, has_c_prev); });
}
void run_lstm_backward(long long blocks, T* act, const T* tanh_c, const T* c_prev,
                       const T* dh, const T* dh_out, const T* dc, const T* dnext,
                       const T* WhT, T* dc_prev, int B, int H, int flags) {
    launch(blocks, BLOCK, [=] {
        lstm_backward(act, tanh_c, c_prev, dh, dh_out, dc, dnext, WhT, dc_prev, B, H,
                      flags); });
}
void run_adam_update(long long blocks, T* p, const T* g, T* m, T* v, long long n, T beta1,
                     T beta2, T step_size, T inv_correction2, T eps, int eps_hat) {
    launch(blocks, BLOCK, [=] {
        adam_update(p, g, m, v, n, beta1, beta2, step_size, inv_correction2, eps, eps_hat); });
}
void run_ns_forward(long long blocks, const T* W_in, const T* W_out, const long long* contexts,
                    const long long* samples, T* h, T* g, T* losses, int C, int K, int D) {
    launch(blocks, BLOCK, [=] {
        ns_forward(W_in, W_out, contexts, samples, h, g, losses, C, K, D); });
}
void run_ns_backward(long long blocks, const T* W_out, const long long* contexts,
                     const long long* samples, const T* h, const T* g, const T* gy, T* gW_in,
                     T* gW_out, int B, int C, int K, int D) {
    launch(blocks, BLOCK, [=] {
        ns_backward(W_out, contexts, samples, h, g, gy, gW_in, gW_out, B, C, K, D); });
}
void run_softmax_ce_forward(long long blocks, const T* x, const long long* t,
                            const unsigned char* valid, int has_valid, T* probs, T* losses,
                            int C) {
    launch(blocks, BLOCK, [=] { softmax_ce_forward(x, t, valid, has_valid, probs, losses, C); });
}
void run_softmax_ce_grad(long long blocks, const T* probs, const long long* t, T* g,
                         long long n, int C) {
    launch(blocks, BLOCK, [=] { softmax_ce_grad(probs, t, g, n, C); });
}
}
