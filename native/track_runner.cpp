#include "track_runner.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace melgenre::cli {

RunPlan plan_threads(int threads, size_t jobs) {
  RunPlan p;
  threads = std::max(1, threads);
  p.workers = int(std::max<size_t>(1, std::min<size_t>(size_t(threads), jobs)));
  p.backend_threads = std::max(1, threads / p.workers);
  return p;
}

Expected<std::string> run_tracks(const std::vector<uint8_t>& model, ClassifierOptions options, const RunPlan& plan,
                                 const std::vector<TrackJob>& jobs,
                                 const std::function<void(size_t, const TrackOutcome&)>& on_result) {
  options.threads = plan.backend_threads;
  options.expected_tracks = long(jobs.size());
  std::vector<Classifier> classifiers;
  for (int w = 0; w < plan.workers; ++w) {
    auto c = Classifier::create(model.data(), model.size(), options);
    if (!c) return c.error();
    classifiers.push_back(std::move(*c));
    // A GPU backend is one device queue: one classifier feeds it, more would only open more devices.
    const std::string name = classifiers.front().backend_name();
    if (name == "vulkan" || name == "cuda") break;
  }
  const std::string backend = classifiers.front().backend_name();

  auto classify_one = [&](Classifier& c, const TrackJob& job) {
    auto r = job.bytes ? c.classify_encoded(job.bytes->data(), job.bytes->size()) : c.classify_file(job.name);
    TrackOutcome o;
    if (r) {
      o.result = std::move(*r);
    } else {
      o.error = r.error().message;
    }
    return o;
  };
  if (classifiers.size() == 1) {
    for (size_t i = 0; i < jobs.size(); ++i) on_result(i, classify_one(classifiers[0], jobs[i]));
    return backend;
  }

  // Workers take the next job; the calling thread reports finished jobs in order.
  std::vector<std::optional<TrackOutcome>> done(jobs.size());
  std::mutex mutex;
  std::condition_variable ready;
  std::atomic<size_t> next{0};
  auto work = [&](Classifier& c) {
    for (size_t i = next++; i < jobs.size(); i = next++) {
      TrackOutcome o = classify_one(c, jobs[i]);
      std::lock_guard<std::mutex> lock(mutex);
      done[i] = std::move(o);
      ready.notify_all();
    }
  };
  std::vector<std::thread> threads;
  for (auto& c : classifiers) threads.emplace_back(work, std::ref(c));
  for (size_t i = 0; i < jobs.size(); ++i) {
    std::unique_lock<std::mutex> lock(mutex);
    ready.wait(lock, [&] { return done[i].has_value(); });
    TrackOutcome o = std::move(*done[i]);
    done[i].reset();
    lock.unlock();
    on_result(i, o);
  }
  for (auto& t : threads) t.join();
  return backend;
}

}  // namespace melgenre::cli
