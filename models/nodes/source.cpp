#include "models/nodes/source.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>

#include "models/nodes/network.hpp"

namespace capsim::models {

namespace {

constexpr double kMaxBatch = 1'000'000;

// A batch size drawn as `value`: rounded to the nearest integer, at least 1 (and at most
// kMaxBatch, so a heavy-tailed draw cannot exhaust memory in one event).
int batch_of(double value) {
  return static_cast<int>(std::clamp(std::round(value), 1.0, kMaxBatch));
}

BatchSize read_batch(const Json& value, const Where& where) {
  BatchSize batch;
  batch.size = read_distribution(value, where);
  // Rounding changes the mean; it is known exactly when the values are.
  if (batch.size.kind() == sim::Distribution::Kind::deterministic) {
    batch.mean = batch_of(batch.size.mean());
  } else if (batch.size.kind() == sim::Distribution::Kind::empirical) {
    double sum = 0;
    for (const Json& v : value["values"]) sum += batch_of(v.get<double>());
    batch.mean = sum / static_cast<double>(value["values"].size());
  } else {
    batch.mean = batch.size.mean();
    batch.exact = false;
  }
  return batch;
}

}  // namespace

int BatchSize::sample(sim::Rng& rng) const {
  return batch_of(size.sample(rng));
}

Source::Source(Network& network, std::string name, const SourceConfig& config)
    : Node(network, std::move(name)),
      rng_(network.stream(this->name())),
      key_rng_(network.stream(this->name() + "#keys")),
      batch_rng_(network.stream(this->name() + "#batch")),
      interarrival_(config.interarrival),
      batch_(config.batch),
      keys_(config.keys),
      request_class_(config.request_class) {
  if (config.profile) {
    profile_.emplace(*config.profile);
  } else if (config.trace) {
    trace_.emplace(*config.trace);
  }
}

void Source::start() {
  schedule_next();
}

inline void Source::schedule_next() {
  sim::Simulator& simulator = network_.simulator();
  if (profile_) {
    const double time = profile_->next(rng_);
    if (std::isfinite(time)) simulator.schedule_at(time, *this, 0);
  } else if (trace_) {
    // Absolute times, so a replayed time stamp is exactly the one in the file.
    if (trace_->next(next_record_)) simulator.schedule_at(next_record_.time, *this, 0);
  } else {
    simulator.schedule(interarrival_.sample(rng_), *this, 0);
  }
}

void Source::accept(RequestId) {
  assert(false && "the loader never routes requests to a source");
}

void Source::on_event(std::uint32_t, std::uint64_t) {
  // The next arrival is scheduled first (as it always was), so equal-time events keep their
  // order and the renewal case draws exactly as before.
  if (trace_) {
    const TraceRecord record = next_record_;
    schedule_next();
    emit(&record);
  } else {
    schedule_next();
    emit(nullptr);
  }
}

inline void Source::emit(const TraceRecord* record) {
  ++batches_;
  const int count = batch_ ? batch_->sample(batch_rng_) : 1;
  for (int i = 0; i < count; ++i) {
    ++generated_;
    const RequestId id = network_.create_request();
    Request& request = network_.requests()[id];
    request.request_class = request_class_;
    if (record != nullptr) {
      request.key = record->key;
      request.size = record->size;
    } else if (keys_) {
      request.key = keys_->sample(key_rng_);
    }
    forward(id);
  }
}

void Source::reset_statistics() {
  generated_ = batches_ = 0;
}

void Source::collect(Metrics& out) const {
  const double window = network_.simulator().now() - network_.window_start();
  out.add({"arrivals", static_cast<double>(generated_)});
  out.add({"arrival_rate", static_cast<double>(generated_) / window});
  if (batch_) out.add({"batches", static_cast<double>(batches_)});
}

SourceConfig read_source(const Json& node, const Where& where) {
  SourceConfig config;
  std::vector<std::string> given;
  for (const char* key : {"arrival", "profile", "trace"}) {
    if (node.contains(key)) given.emplace_back(key);
  }
  if (given.empty()) {
    where.fail("no key \"arrival\"", "an \"arrival\" distribution of inter-arrival times");
  }
  if (given.size() > 1) {
    (where / given[1])
        .fail(fmt::format("both \"{}\" and \"{}\"", given[0], given[1]),
              "exactly one of \"arrival\" (renewal arrivals), \"profile\" (a time-varying rate) "
              "or \"trace\" (replayed arrivals)");
  }
  if (given[0] == "arrival") {
    config.interarrival = read_distribution(node["arrival"], where / "arrival");
  } else if (given[0] == "profile") {
    config.profile = read_rate_profile(node["profile"], where / "profile");
  } else {
    config.trace = read_trace(node["trace"], where / "trace");
    for (const char* key : {"batch", "keys"}) {
      if (node.contains(key)) {
        (where / key)
            .fail_value(node[key], fmt::format("no \"{}\" with a \"trace\" (each line "
                                               "is one request, with its own key)",
                                               key));
      }
    }
  }
  if (node.contains("batch")) config.batch = read_batch(node["batch"], where / "batch");
  if (node.contains("keys")) config.keys = read_key_space(node["keys"], where / "keys");
  return config;
}

std::unique_ptr<Node> make_node(Network& network, const std::string& name,
                                const SourceConfig& config) {
  return std::make_unique<Source>(network, name, config);
}

}  // namespace capsim::models
