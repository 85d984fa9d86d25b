// RAII owners and error helpers for the CUDA backend's runtime, cuDNN and cuBLAS objects.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "melgenre/error.hpp"

namespace melgenre::cuda {

inline Error cuda_error(const std::string& what, cudaError_t e) {
  return make_error(e == cudaErrorMemoryAllocation ? Status::resource_limit : Status::backend_unavailable,
                    "cuda: " + what + " failed (" + cudaGetErrorString(e) + ")");
}
inline Error cudnn_error(const std::string& what, cudnnStatus_t s) {
  return make_error(Status::backend_unavailable, "cuda: " + what + " failed (" + cudnnGetErrorString(s) + ")");
}
inline Error cublas_error(const std::string& what, cublasStatus_t s) {
  return make_error(Status::backend_unavailable, "cuda: " + what + " failed (cuBLAS status " + std::to_string(int(s)) + ")");
}

// Device memory for `count` floats.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  ~DeviceBuffer() {
    if (ptr_) cudaFree(ptr_);
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept : ptr_(std::exchange(o.ptr_, nullptr)), bytes_(o.bytes_) {}

  Expected<void> allocate(size_t bytes) {
    cudaError_t e = cudaMalloc(&ptr_, bytes == 0 ? 16 : bytes);
    if (e != cudaSuccess) {
      ptr_ = nullptr;
      return cuda_error("cudaMalloc(" + std::to_string(bytes) + " bytes)", e);
    }
    bytes_ = bytes;
    return {};
  }
  float* f32() const { return static_cast<float*>(ptr_); }
  void* data() const { return ptr_; }
  size_t bytes() const { return bytes_; }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

// A cuDNN descriptor: Create/Destroy pair chosen by the type.
template <class T, cudnnStatus_t (*Create)(T*), cudnnStatus_t (*Destroy)(T)>
class Descriptor {
 public:
  Descriptor() = default;
  ~Descriptor() {
    if (d_) Destroy(d_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  Descriptor(Descriptor&& o) noexcept : d_(std::exchange(o.d_, nullptr)) {}
  Expected<void> create() {
    cudnnStatus_t s = Create(&d_);
    if (s != CUDNN_STATUS_SUCCESS) return cudnn_error("creating a descriptor", s);
    return {};
  }
  T get() const { return d_; }

 private:
  T d_ = nullptr;
};

using TensorDesc = Descriptor<cudnnTensorDescriptor_t, cudnnCreateTensorDescriptor, cudnnDestroyTensorDescriptor>;
using FilterDesc = Descriptor<cudnnFilterDescriptor_t, cudnnCreateFilterDescriptor, cudnnDestroyFilterDescriptor>;
using ConvDesc = Descriptor<cudnnConvolutionDescriptor_t, cudnnCreateConvolutionDescriptor,
                            cudnnDestroyConvolutionDescriptor>;
using PoolDesc = Descriptor<cudnnPoolingDescriptor_t, cudnnCreatePoolingDescriptor, cudnnDestroyPoolingDescriptor>;
using ActDesc = Descriptor<cudnnActivationDescriptor_t, cudnnCreateActivationDescriptor,
                           cudnnDestroyActivationDescriptor>;
using OpDesc = Descriptor<cudnnOpTensorDescriptor_t, cudnnCreateOpTensorDescriptor, cudnnDestroyOpTensorDescriptor>;

// The library handles of one backend (one device, the current one at creation).
class Handles {
 public:
  static Expected<std::shared_ptr<Handles>> create() {
    std::shared_ptr<Handles> h(new Handles());
    cudnnStatus_t s = cudnnCreate(&h->cudnn_);
    if (s != CUDNN_STATUS_SUCCESS) return cudnn_error("cudnnCreate", s);
    cublasStatus_t b = cublasCreate(&h->cublas_);
    if (b != CUBLAS_STATUS_SUCCESS) return cublas_error("cublasCreate", b);
    return h;
  }
  ~Handles() {
    if (cublas_) cublasDestroy(cublas_);
    if (cudnn_) cudnnDestroy(cudnn_);
  }
  Handles(const Handles&) = delete;
  Handles& operator=(const Handles&) = delete;
  cudnnHandle_t cudnn() const { return cudnn_; }
  cublasHandle_t cublas() const { return cublas_; }

 private:
  Handles() = default;
  cudnnHandle_t cudnn_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
};

}  // namespace melgenre::cuda
