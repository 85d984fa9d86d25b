// A small fork-join pool owned by one backend: run(tasks, fn) splits [0, tasks) into contiguous chunks,
// one per thread, and returns when all are done. The caller's thread does the first chunk, so a pool of
// 1 thread has no worker at all (and neither has the single-threaded WebAssembly build).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace melgenre::simd {

class ThreadPool {
 public:
  // fn(begin, end, thread_index) processes tasks [begin, end).
  using Chunk = std::function<void(int begin, int end, int thread_index)>;

  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return threads_; }
  void run(int tasks, const Chunk& fn);

 private:
  void worker_loop(int index);

  int threads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex run_mutex_;  // one fork-join at a time when several networks share the pool
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const Chunk* job_ = nullptr;
  int job_tasks_ = 0;
  int job_chunks_ = 0;
  long generation_ = 0;
  int pending_ = 0;
  bool stop_ = false;
};

// Whether this build can start threads at all (false in the plain WebAssembly build).
bool threads_available();

}  // namespace melgenre::simd
