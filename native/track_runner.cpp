#include "track_runner.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace melgenre::cli {
namespace {

// A GPU backend packs the segments of many tracks into each dispatch. max_batch is what we ask for;
// the backend lowers it to what its buffers allow (CompiledNetwork::max_batch()).
constexpr int kGpuMaxBatch = 1024;
// One classify_prepared call: up to this many tracks, or until this many backend items (a 30 s track
// gives ~30 segments to the shipped CNN), so a dispatch is full without holding many tracks.
constexpr size_t kGpuGroupTracks = 16;
constexpr long kGpuGroupItems = 1024;
// Preparing (decode + features, CPU work) runs ahead of the GPU by at most this much; it must exceed
// one group so the next group is being prepared while the GPU runs this one.
constexpr size_t kPrepareAheadTracks = 2 * kGpuGroupTracks;
constexpr long kPrepareAheadItems = 2 * kGpuGroupItems;
static_assert(kPrepareAheadItems > kGpuGroupItems && kPrepareAheadTracks > kGpuGroupTracks,
              "the next group must be able to start while one is held");

// "vulkan", "cuda", or either with a reference fallback for a network ("vulkan+reference").
bool uses_gpu(const std::string& backend) { return backend.rfind("vulkan", 0) == 0 || backend.rfind("cuda", 0) == 0; }

TrackOutcome outcome_of(Expected<TrackResult> r) {
  TrackOutcome o;
  if (r) {
    o.result = std::move(*r);
  } else {
    o.error = r.error().message;
  }
  return o;
}

Expected<PreparedTrack> prepare_job(TrackPreparer& p, const TrackJob& job) {
  return job.bytes ? p.prepare_encoded(job.bytes->data(), job.bytes->size()) : p.prepare_file(job.name);
}

// The GPU path: `preparers` (one per worker thread) decode tracks and compute their features ahead; the
// calling thread hands groups of prepared tracks to the one GPU classifier and reports every track in
// input order, with the same per-file errors as classify_file would give.
void run_gpu(Classifier& gpu, std::vector<TrackPreparer>& preparers, const std::vector<TrackJob>& jobs,
             const std::function<void(size_t, const TrackOutcome&)>& on_result) {
  const size_t n = jobs.size();
  std::vector<std::optional<Expected<PreparedTrack>>> prepared(n);  // filled ahead, emptied when grouped
  std::mutex mutex;
  std::condition_variable changed;
  size_t next = 0;         // the next job a worker takes (jobs are taken in order)
  size_t released = 0;     // jobs before this are reported and freed
  long pending_items = 0;  // backend items of prepared tracks not yet released

  // A worker may start job `next` only within the read-ahead window. Jobs are taken in order, so when
  // the calling thread waits for job j that nobody started, every pending item belongs to the group
  // being gathered (< kGpuGroupItems): the window is open and there is no deadlock.
  auto work = [&](TrackPreparer& preparer) {
    for (;;) {
      size_t i;
      {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] {
          return next >= n || (next < released + kPrepareAheadTracks && pending_items < kPrepareAheadItems);
        });
        if (next >= n) return;
        i = next++;
      }
      auto p = prepare_job(preparer, jobs[i]);
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (p) pending_items += p->items();
        prepared[i] = std::move(p);
      }
      changed.notify_all();
    }
  };
  std::vector<std::thread> threads;
  for (auto& p : preparers) threads.emplace_back(work, std::ref(p));

  for (size_t base = 0; base < n;) {
    std::vector<Expected<PreparedTrack>> group;
    long items = 0;
    {
      std::unique_lock<std::mutex> lock(mutex);
      while (base + group.size() < n && group.size() < kGpuGroupTracks && items < kGpuGroupItems) {
        const size_t j = base + group.size();
        changed.wait(lock, [&] { return prepared[j].has_value(); });
        group.push_back(std::move(*prepared[j]));
        prepared[j].reset();
        if (group.back()) items += group.back()->items();
      }
    }
    std::vector<const PreparedTrack*> tracks;
    for (auto& p : group) tracks.push_back(p ? &*p : nullptr);
    auto results = gpu.classify_prepared(tracks);
    for (size_t k = 0; k < group.size(); ++k) {
      TrackOutcome o;
      if (!group[k]) {
        o.error = group[k].error().message;  // decode or features failed
      } else if (!results) {
        o.error = results.error().message;   // the backend failed for the whole group
      } else {
        o = outcome_of(std::move((*results)[k]));
      }
      on_result(base + k, o);
    }
    group.clear();
    {
      std::lock_guard<std::mutex> lock(mutex);
      pending_items -= items;
      released = base + tracks.size();
    }
    changed.notify_all();
    base += tracks.size();
  }
  for (auto& t : threads) t.join();
}

}  // namespace

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
  ClassifierOptions gpu_options = options;
  gpu_options.max_batch = std::max(options.max_batch, kGpuMaxBatch);

  std::vector<Classifier> classifiers;
  {
    // A named GPU is built for large batches at once; "auto" learns whether it chose one only after.
    auto c = Classifier::create(model.data(), model.size(), uses_gpu(options.backend) ? gpu_options : options);
    if (!c && uses_gpu(options.backend) && c.error().status != Status::backend_unavailable)
      c = Classifier::create(model.data(), model.size(), options);
    if (!c) return c.error();
    if (!uses_gpu(options.backend) && uses_gpu(c->backend_name())) {
      auto large = Classifier::create(model.data(), model.size(), gpu_options);
      if (large) c = std::move(large);
    }
    classifiers.push_back(std::move(*c));
  }
  const std::string backend = classifiers.front().backend_name();

  if (uses_gpu(backend)) {
    // A GPU backend is one device queue: one classifier feeds it, fed in turn by CPU workers that
    // decode and compute features.
    std::vector<TrackPreparer> preparers;
    for (int w = 0; w < plan.workers; ++w) {
      auto p = TrackPreparer::create(classifiers.front().model(), options);
      if (!p) return p.error();
      preparers.push_back(std::move(*p));
    }
    run_gpu(classifiers.front(), preparers, jobs, on_result);
    return backend;
  }

  for (int w = 1; w < plan.workers; ++w) {
    auto c = Classifier::create(model.data(), model.size(), options);
    if (!c) return c.error();
    classifiers.push_back(std::move(*c));
  }
  auto classify_one = [&](Classifier& c, const TrackJob& job) {
    return outcome_of(job.bytes ? c.classify_encoded(job.bytes->data(), job.bytes->size()) : c.classify_file(job.name));
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
