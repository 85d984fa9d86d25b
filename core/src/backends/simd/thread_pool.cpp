#include "backends/simd/thread_pool.hpp"

#include <algorithm>

namespace melgenre::simd {

bool threads_available() {
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
  return false;
#else
  return true;
#endif
}

ThreadPool::ThreadPool(int threads) {
  threads_ = threads_available() ? std::max(1, std::min(threads, 64)) : 1;
  for (int i = 1; i < threads_; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

static void chunk_range(int tasks, int chunks, int index, int* begin, int* end) {
  *begin = int(long(tasks) * index / chunks);
  *end = int(long(tasks) * (index + 1) / chunks);
}

void ThreadPool::run(int tasks, const Chunk& fn) {
  if (tasks <= 0) return;
  int chunks = std::min(threads_, tasks);
  if (chunks == 1) {
    fn(0, tasks, 0);
    return;
  }
  std::lock_guard<std::mutex> serial(run_mutex_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = &fn;
    job_tasks_ = tasks;
    job_chunks_ = chunks;
    pending_ = chunks - 1;
    ++generation_;
  }
  wake_.notify_all();
  int b, e;
  chunk_range(tasks, chunks, 0, &b, &e);
  fn(b, e, 0);
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [this] { return pending_ == 0; });
  job_ = nullptr;
}

void ThreadPool::worker_loop(int index) {
  long seen = 0;
  for (;;) {
    const Chunk* job;
    int tasks, chunks;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      job = job_;
      tasks = job_tasks_;
      chunks = job_chunks_;
    }
    if (index < chunks) {
      int b, e;
      chunk_range(tasks, chunks, index, &b, &e);
      (*job)(b, e, index);
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_ == 0) done_.notify_one();
    }
  }
}

}  // namespace melgenre::simd
