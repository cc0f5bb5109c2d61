// Caches: every policy on hand-computed key sequences, the node on exact trace timelines, the
// bad-input messages, and (suite "statistical") hit ratios against the closed forms of
// sim/analytic/cache.hpp under the independent reference model.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <unordered_map>
#include <vector>

#include "models/nodes/cache.hpp"
#include "models/nodes/cache_policies.hpp"
#include "models/nodes/hash_ring.hpp"
#include "models/nodes/network.hpp"
#include "models/scenario/replication.hpp"
#include "scenario_builder.hpp"
#include "sim/analytic/cache.hpp"
#include "tests/support/scenario_checks.hpp"
#include "tests/support/statistical_checks.hpp"

using namespace capsim;
using namespace capsim::testing;
using models::CachePolicyKind;

namespace {

std::unique_ptr<models::CachePolicy> policy(CachePolicyKind kind, std::size_t capacity,
                                            models::TtlSettings ttl = {}) {
  return models::make_cache_policy(kind, capacity, ttl, sim::Rng(5));
}

// Hit (true) or miss for each key of the sequence, all at time 0.
std::vector<bool> run(models::CachePolicy& cache, const std::vector<std::uint64_t>& keys) {
  std::vector<bool> hits;
  for (std::uint64_t key : keys) hits.push_back(cache.access(key, 0));
  return hits;
}

// ---- scenarios ----------------------------------------------------------------------------------

Json keyed_source(const std::string& name, double rate, Json keys, const std::string& to) {
  Json node = source(name, Json{{"dist", "exponential"}, {"rate", rate}}, to);
  node["keys"] = std::move(keys);
  return node;
}

Json zipf_keys(std::uint64_t count, double alpha) {
  return Json{{"count", count}, {"popularity", "zipf"}, {"alpha", alpha}};
}

Json cache_node(const std::string& name, Json fields) {
  Json node = {{"name", name}, {"type", "cache"}};
  for (auto& [key, value] : fields.items()) node[key] = value;
  node["to"] = Json::array({"hit", "miss"});
  return node;
}

// A file the test owns in the temporary directory, with the scenario beside it.
struct TraceDirectory {
  std::filesystem::path directory;
  explicit TraceDirectory(const std::string& csv) {
    directory = std::filesystem::temp_directory_path() /
                ("capsim_cache_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(directory);
    std::ofstream(directory / "trace.csv") << csv;
  }
  ~TraceDirectory() { std::filesystem::remove_all(directory); }
  std::string scenario_path() const { return (directory / "scenario.json").string(); }
};

// One replication of trace -> cache -> hit / miss sinks, measured over [warmup, warmup + duration]
// s; the cache's metrics.
models::Metrics trace_run(const std::string& csv, Json cache_fields, double warmup = 0,
                          double duration = 10) {
  const TraceDirectory files(csv);
  Json document = {
      {"seed", 1},
      {"duration", duration},
      {"warmup", warmup},
      {"replications", 2},
      {"nodes",
       {{{"name", "replay"}, {"type", "source"}, {"trace", {{"file", "trace.csv"}}}, {"to", "c"}},
        cache_node("c", std::move(cache_fields)),
        sink("hit"),
        sink("miss")}}};
  const auto s = models::parse_scenario(std::move(document), files.scenario_path());
  models::Replication network(s, 0);
  return network.run().nodes[1];
}

}  // namespace

TEST_SUITE("cache") {
  TEST_CASE("LRU FIFO and in-cache LFU on hand-computed sequences") {
    // LRU, C = 2: 1 2 1 3 (evicts 2, the least recent) 2 (evicts 1) 1 (evicts 3).
    auto lru = policy(CachePolicyKind::lru, 2);
    CHECK(run(*lru, {1, 2, 1, 3, 2, 1}) ==
          std::vector<bool>{false, false, true, false, false, false});
    CHECK(lru->evictions() == 3);
    CHECK(lru->size() == 2);
    // FIFO, C = 2: the hit on 1 does not save it: 3 evicts 1, the oldest; then 1 evicts 2.
    auto fifo = policy(CachePolicyKind::fifo, 2);
    CHECK(run(*fifo, {1, 2, 1, 3, 1, 3}) ==
          std::vector<bool>{false, false, true, false, false, true});
    // LFU, C = 2: 1 twice (count 2), 2 (count 1); 3 evicts 2; 2 evicts 3; 1 still there.
    auto lfu = policy(CachePolicyKind::lfu, 2);
    CHECK(run(*lfu, {1, 1, 2, 3, 2, 1}) ==
          std::vector<bool>{false, true, false, false, false, true});
    // Ties go to the least recent: 1, 2 (both count 1); 3 evicts 1; then 1 evicts 2.
    auto ties = policy(CachePolicyKind::lfu, 2);
    CHECK(run(*ties, {1, 2, 3, 1, 3}) == std::vector<bool>{false, false, false, false, true});
    // Newcomers start at count 1, so a key with count 3 stays while 2 and 3 take turns in the
    // other slot, each evicting the other before it can earn a second request.
    auto sticky = policy(CachePolicyKind::lfu, 2);
    CHECK(run(*sticky, {1, 1, 1, 2, 3, 2, 3, 1}) ==
          std::vector<bool>{false, true, true, false, false, false, false, true});
  }

  TEST_CASE("perfect LFU keeps counts for every key and admits only a count as large") {
    // C = 1: 1 (count 1) hit (2); 2 has count 1 < 2: not admitted; 2 again (2 >= 2): replaces 1;
    // 2 hits (3); 1 comes back with count 3 >= 3 and replaces 2.
    auto perfect = policy(CachePolicyKind::perfect_lfu, 1);
    CHECK(run(*perfect, {1, 1, 2, 2, 2, 1, 1}) ==
          std::vector<bool>{false, true, false, false, true, false, true});
    CHECK(perfect->evictions() == 2);
  }

  TEST_CASE("random replacement evicts a uniformly chosen entry") {
    auto random = policy(CachePolicyKind::random, 4);
    CHECK(run(*random, {1, 2, 3, 4, 1, 2, 3, 4}) ==
          std::vector<bool>{false, false, false, false, true, true, true, true});
    CHECK(random->size() == 4);
    CHECK(random->evictions() == 0);
    // Each eviction picks one of the 4 entries: over many, each old key survives a single
    // eviction 3 times in 4.
    int survivals = 0;
    constexpr int kTrials = 20000;
    for (int trial = 0; trial < kTrials; ++trial) {
      auto cache = models::make_cache_policy(CachePolicyKind::random, 4, {},
                                             sim::Rng::stream(9, trial, "evict"));
      run(*cache, {1, 2, 3, 4, 5});
      survivals += cache->access(1, 0);
    }
    CHECK(std::fabs(survivals / double(kTrials) - 0.75) <= 4.4 * std::sqrt(0.75 * 0.25 / kTrials));
  }

  TEST_CASE("TTL entries live for ages below T and the timer restarts as configured") {
    auto on_miss = policy(CachePolicyKind::ttl, 0, {10, false});
    CHECK_FALSE(on_miss->access(1, 0));
    CHECK(on_miss->access(1, 5));
    CHECK(on_miss->access(1, 9.5));
    CHECK_FALSE(on_miss->access(1, 10));  // age 10 = T: expired
    CHECK(on_miss->expirations() == 1);
    auto on_hit = policy(CachePolicyKind::ttl, 0, {10, true});
    CHECK_FALSE(on_hit->access(1, 0));
    CHECK(on_hit->access(1, 9));   // restarts: expires at 19
    CHECK(on_hit->access(1, 18));  // expires at 28
    CHECK_FALSE(on_hit->access(1, 28));
    // With a capacity, the entry due to expire first makes room.
    auto bounded = policy(CachePolicyKind::ttl, 2, {10, true});
    run(*bounded, {1, 2});
    CHECK(bounded->access(1, 1));        // 1 now expires at 11, 2 at 10
    CHECK_FALSE(bounded->access(3, 2));  // evicts 2
    CHECK(bounded->evictions() == 1);
    CHECK(bounded->access(1, 3));
    CHECK_FALSE(bounded->access(2, 3));
    // Unlimited: grows past its initial room.
    auto unlimited = policy(CachePolicyKind::ttl, 0, {1e9, false});
    for (std::uint64_t key = 0; key < 1000; ++key) unlimited->access(key * 7919, 0);
    CHECK(unlimited->size() == 1000);
    for (std::uint64_t key = 0; key < 1000; ++key) CHECK(unlimited->access(key * 7919, 1));
  }

  TEST_CASE("writes invalidate cached keys under every policy") {
    for (auto kind : {CachePolicyKind::lru, CachePolicyKind::lfu, CachePolicyKind::fifo,
                      CachePolicyKind::random, CachePolicyKind::ttl}) {
      auto cache = policy(kind, 3, {100, false});
      run(*cache, {1, 2, 3});
      CHECK(cache->invalidate(2, 0));
      CHECK_FALSE(cache->invalidate(2, 0));
      CHECK(cache->size() == 2);
      CHECK_FALSE(cache->access(2, 0));  // fills the freed slot: no eviction
      CHECK(cache->evictions() == 0);
      CHECK(cache->access(1, 0));
      CHECK(cache->access(3, 0));
    }
  }

  TEST_CASE("the key table agrees with a reference map under random inserts and erases") {
    models::KeyTable table(8);
    std::unordered_map<std::uint64_t, std::uint32_t> reference;
    sim::Rng rng(17);
    for (int step = 0; step < 200000; ++step) {
      // Few distinct keys, so erases and re-inserts exercise the backward shift.
      const std::uint64_t key = rng.below(300) * 0x9e3779b97f4a7c15ULL;
      const auto found = reference.find(key);
      if (found == reference.end()) {
        CHECK(table.find(key) == models::KeyTable::kAbsent);
        const auto value = static_cast<std::uint32_t>(step);
        table.insert(key, value);
        reference.emplace(key, value);
      } else {
        REQUIRE(table.find(key) == found->second);
        if (rng.below(2) == 0) {
          table.erase(key);
          reference.erase(found);
        }
      }
      REQUIRE(table.size() == reference.size());
    }
    for (const auto& [key, value] : reference) CHECK(table.find(key) == value);
  }

  TEST_CASE("node timeline: LRU with a hit latency") {
    // Window [0, 10]: 1 miss, 2 miss, 1 hit (held 0.5 s), 3 miss (evicts 2), 2 miss (evicts 1),
    // 3 hit (held 0.5 s).
    const auto m = trace_run("time,key\n1,1\n2,2\n3,1\n4,3\n5,2\n6,3\n",
                             {{"capacity", 2},
                              {"policy", "lru"},
                              {"hit_latency", {{"dist", "deterministic"}, {"mean", 0.5}}}});
    CHECK(metric(m, "arrivals") == 6);
    CHECK(metric(m, "hits") == 2);
    CHECK(metric(m, "misses") == 4);
    CHECK(metric(m, "hit_ratio") == doctest::Approx(1.0 / 3));
    CHECK(metric(m, "evictions") == 2);
    CHECK(metric(m, "completions") == 6);
    CHECK(metric(m, "throughput") == doctest::Approx(0.6));
    CHECK(metric(m, "L") == doctest::Approx(0.1));        // two holds of 0.5 s in 10 s
    CHECK(metric(m, "W") == doctest::Approx(1.0 / 6));    // 1 s held over 6 requests
    CHECK(metric(m, "entries") == doctest::Approx(1.7));  // 1 key over [1, 2), 2 keys over [2, 10]
    CHECK(metric(m, "in_system.end") == 0);
  }

  TEST_CASE("node timeline: TTL entries counted exactly although removed lazily") {
    // T = 2, reset on miss: 1 miss (expires 3), 1 hit, 1 at 3.5 misses (expires 5.5), 2 miss at
    // 4 (expires 6), 3 miss at 7.5 (expires 9.5, still stored at the end). Live time: key 1
    // 2 + 2, key 2 2, key 3 2 = 8 over 10 s.
    const std::string trace = "time,key\n1,1\n2,1\n3.5,1\n4,2\n7.5,3\n";
    const auto on_miss = trace_run(trace, {{"policy", "ttl"}, {"ttl", 2}});
    CHECK(metric(on_miss, "hits") == 1);
    CHECK(metric(on_miss, "misses") == 4);
    CHECK(metric(on_miss, "expirations") == 3);
    CHECK(metric(on_miss, "entries") == doctest::Approx(0.8));
    // Reset on hit: the hit at 2 makes key 1 last until 4, so 3.5 hits (until 5.5). Live time:
    // key 1 4.5, key 2 2, key 3 2.
    const auto on_hit = trace_run(trace, {{"policy", "ttl"}, {"ttl", 2}, {"ttl_reset", "hit"}});
    CHECK(metric(on_hit, "hits") == 2);
    CHECK(metric(on_hit, "misses") == 3);
    CHECK(metric(on_hit, "expirations") == 2);
    CHECK(metric(on_hit, "entries") == doctest::Approx(0.85));
  }

  TEST_CASE("node timeline: a TTL entry that expired during the warm-up adds no live time") {
    // T = 1, window [2, 5]. Key 1 is stored at 0.5 and expires at 1.5, before the window opens,
    // but stays stored until the request for key 2 at 3 removes it: it must count for nothing
    // in the window (its overdue time is clamped to the window start). Key 2 lives over [3, 4].
    // Entries: 1 s of live entries over 3 s.
    const auto m = trace_run("time,key\n0.5,1\n3,2\n", {{"policy", "ttl"}, {"ttl", 1}}, 2, 3);
    CHECK(metric(m, "misses") == 1);
    CHECK(metric(m, "expirations") == 1);
    CHECK(metric(m, "entries") == doctest::Approx(1.0 / 3));
  }

  TEST_CASE("requests go to the first target on a hit and the second on a miss") {
    const TraceDirectory files("time,key\n1,1\n2,1\n3,1\n4,2\n");
    Json document = {
        {"duration", 10},
        {"warmup", 0},
        {"nodes",
         {{{"name", "replay"}, {"type", "source"}, {"trace", {{"file", "trace.csv"}}}, {"to", "c"}},
          cache_node("c", {{"capacity", 5}}),
          sink("hit"),
          sink("miss")}}};
    const auto s = models::parse_scenario(std::move(document), files.scenario_path());
    models::Replication network(s, 0);
    const auto result = network.run();
    CHECK(metric(result.nodes[2], "throughput") == doctest::Approx(0.2));  // 2 hits
    CHECK(metric(result.nodes[3], "throughput") == doctest::Approx(0.2));  // 2 misses
  }
}

// ---- bad input --------------------------------------------------------------------------------

namespace {

const std::string kKeyedSource =
    R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, )"
    R"("keys": {"count": 100}, "to": "c"})";
const std::string kSinks = R"({"name": "hit", "type": "sink"}, {"name": "miss", "type": "sink"})";

std::string network(const std::string& source, const std::string& cache_fields,
                    const std::string& to = R"(["hit", "miss"])") {
  return R"({"duration": 100, "nodes": [)" + source + R"(, {"name": "c", "type": "cache", )" +
         cache_fields + R"(, "to": )" + to + "}, " + kSinks + "]}";
}

std::string with_cache(const std::string& fields) {
  return network(kKeyedSource, fields);
}

std::string with_keys(const std::string& keys) {
  return network(
      R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, )"
      R"("keys": )" +
          keys + R"(, "to": "c"})",
      R"("capacity": 10)");
}

}  // namespace

TEST_SUITE("cache") {
  TEST_CASE("bad cache and key-space input: one line naming pointer and value and expectation") {
    const std::string kPolicies = "lru, lfu, perfect_lfu, fifo, random or ttl";
    const std::vector<BadInput> table = {
        {"zero capacity", with_cache(R"("capacity": 0)"), "/nodes/1/capacity", "0",
         "an integer in [1, 1e+08]"},
        {"negative capacity", with_cache(R"("capacity": -3)"), "/nodes/1/capacity", "-3",
         "an integer in [1, 1e+08]"},
        {"fractional capacity", with_cache(R"("capacity": 2.5)"), "/nodes/1/capacity", "2.5",
         "an integer in [1, 1e+08]"},
        {"missing capacity", with_cache(R"("policy": "lru")"), "/nodes/1", R"(no key "capacity")",
         R"(a "capacity" (the most keys cached) for policy lru)"},
        {"unknown policy", with_cache(R"("capacity": 5, "policy": "lrv")"), "/nodes/1/policy",
         R"("lrv")", "a cache policy: " + kPolicies + R"( (did you mean "lru"?))"},
        {"policy not a string", with_cache(R"("capacity": 5, "policy": 3)"), "/nodes/1/policy", "3",
         "a cache policy: " + kPolicies},
        {"ttl policy without ttl", with_cache(R"("policy": "ttl")"), "/nodes/1", R"(no key "ttl")",
         R"(a "ttl" (time to live, s) for policy ttl)"},
        {"ttl with lru", with_cache(R"("capacity": 5, "ttl": 3)"), "/nodes/1/ttl", "3",
         R"(no "ttl" with policy lru (only with policy ttl))"},
        {"ttl_reset with fifo",
         with_cache(R"("capacity": 5, "policy": "fifo", "ttl_reset": "hit")"), "/nodes/1/ttl_reset",
         R"("hit")", R"(no "ttl_reset" with policy fifo (only with policy ttl))"},
        {"unknown ttl_reset", with_cache(R"("policy": "ttl", "ttl": 1, "ttl_reset": "hits")"),
         "/nodes/1/ttl_reset", R"("hits")",
         R"(when the timer restarts: miss or hit (did you mean "hit"?))"},
        {"zero ttl", with_cache(R"("policy": "ttl", "ttl": 0)"), "/nodes/1/ttl", "0",
         "a number in (0, 1e+15]"},
        {"bad hit latency", with_cache(R"("capacity": 5, "hit_latency": {"dist": "exponential"})"),
         "/nodes/1/hit_latency", R"(neither "mean" nor "rate")", "exactly one of them (> 0)"},
        {"writes with perfect LFU",
         with_cache(R"("capacity": 5, "policy": "perfect_lfu", "writes": {"rate": 1})"),
         "/nodes/1/writes", "an object",
         "no writes with policy perfect_lfu (an invalidated key keeps its count, which breaks "
         "its O(1) bookkeeping): use lfu"},
        {"zero write rate", with_cache(R"("capacity": 5, "writes": {"rate": 0})"),
         "/nodes/1/writes/rate", "0", "a number in (0, 1e+09]"},
        {"unknown write key", with_cache(R"("capacity": 5, "writes": {"rat": 1})"),
         "/nodes/1/writes/rat", R"(unknown key "rat")",
         R"(one of the keys rate (did you mean "rate"?))"},
        {"three targets", network(kKeyedSource, R"("capacity": 5)", R"(["hit", "miss", "hit2"])"),
         "/nodes/1/to", "a list of 3 names",
         "a list of two node names: [where hits go, where misses go]"},
        {"one target", network(kKeyedSource, R"("capacity": 5)", R"("hit")"), "/nodes/1/to",
         R"("hit")", "a list of two node names: [where hits go, where misses go]"},
        {"negative alpha", with_keys(R"({"count": 100, "popularity": "zipf", "alpha": -0.5})"),
         "/nodes/0/keys/alpha", "-0.5", "a number in [0, 100]"},
        {"zipf without alpha", with_keys(R"({"count": 100, "popularity": "zipf"})"),
         "/nodes/0/keys", R"(no key "alpha")",
         R"(a Zipf exponent "alpha" >= 0 with "popularity": "zipf")"},
        {"alpha with uniform", with_keys(R"({"count": 100, "alpha": 1})"), "/nodes/0/keys/alpha",
         "1",
         R"(no "alpha" with uniform popularity ("alpha" is the exponent of "popularity": "zipf"))"},
        {"unknown popularity", with_keys(R"({"count": 100, "popularity": "zipff", "alpha": 1})"),
         "/nodes/0/keys/popularity", R"("zipff")",
         R"(a popularity: uniform or zipf (did you mean "zipf"?))"},
        {"source without keys",
         network(
             R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "c"})",
             R"("capacity": 5)"),
         "/nodes/0", R"(no key "keys")",
         R"(a "keys" key space such as {"count": 1000000, "popularity": "zipf", "alpha": 0.8}, )"
         R"(since source in feeds the cache c (/nodes/1), which looks requests up by key)"},
        {"writes over two key spaces",
         R"({"duration": 100, "nodes": [)" + kKeyedSource +
             R"(, {"name": "in2", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, )"
             R"("keys": {"count": 50}, "to": "c"}, )"
             R"({"name": "c", "type": "cache", "capacity": 5, "writes": {"rate": 1}, "to": ["hit", "miss"]}, )" +
             kSinks + "]}",
         "/nodes/2/writes",
         "writes but no single key space to draw their keys from (its sources draw keys from "
         "different key spaces (uniform over 100 keys and uniform over 50 keys))",
         R"(sources feeding the cache c that all draw from one "keys" key space)"},
    };
    check_bad_inputs(table);
  }

  TEST_CASE("valid cache and key-space boundaries are accepted") {
    for (const std::string& text :
         {with_cache(R"("capacity": 1)"), with_cache(R"("capacity": 1e8)"),
          with_cache(R"("policy": "ttl", "ttl": 0.001)"),
          with_cache(R"("policy": "ttl", "ttl": 5, "capacity": 3, "ttl_reset": "miss")"),
          with_cache(R"("capacity": 2, "policy": "random", "writes": {"rate": 1e-3})"),
          with_keys(R"({"count": 1, "popularity": "zipf", "alpha": 0})"),
          with_keys(R"({"count": 1e15, "popularity": "zipf", "alpha": 100})"),
          with_keys(R"({"count": 7, "popularity": "uniform"})")}) {
      CAPTURE(text);
      CHECK(message_of(text) == "(no error)");
    }
  }
}

// ---- against theory ---------------------------------------------------------------------------

namespace {

struct Experiment {
  models::Scenario scenario;
  models::RunResult result;
};

// in (Poisson, rate lambda, Zipf(alpha) over n keys) -> c (cache) -> hit / miss sinks.
Experiment simulate(double lambda, std::uint64_t n, double alpha, Json cache_fields,
                    double duration, double warmup, int replications, std::uint64_t seed) {
  Json nodes = {keyed_source("in", lambda, zipf_keys(n, alpha), "c"),
                cache_node("c", std::move(cache_fields)), sink("hit"), sink("miss")};
  Experiment e{scenario(std::move(nodes), duration, warmup, replications, seed), {}};
  e.result = models::run_experiment(e.scenario, 2);
  return e;
}

// check_estimate for the cache of simulate(), node 1; `cap` is a StandardError or a
// DetectionGoal. A cache with state (TTL timers, FIFO, random, LRU contents) makes successive
// hits of a key dependent, with no theory for their spread: detection goals. Perfect LFU, once
// converged, hits exactly the top C keys: under the independent reference model each request
// is then a Bernoulli trial.
template <typename Cap>
void check(const Experiment& e, const std::string& metric, double theory, Cap cap,
           double approximation_error = 0) {
  check_estimate(e.result, 1, metric, theory, cap, approximation_error);
}

using analytic::ZipfPopularity;

// The three bands the node reports, as key ranges.
struct KeyBand {
  const char* metric;
  std::uint64_t first, last;
};
std::vector<KeyBand> key_bands(std::uint64_t n) {
  return {{"hit_ratio.top1pct", 0, (n + 99) / 100},
          {"hit_ratio.top10pct", 0, (n + 9) / 10},
          {"hit_ratio.rest", (n + 9) / 10, n}};
}

}  // namespace

TEST_SUITE("statistical") {
  TEST_CASE("TTL caches without a capacity: exact hit ratios per band and entries") {
    // Zipf(0.8) over 1000 keys at 2000 requests/s; T = 0.2 s gives h near 0.5 overall.
    const double lambda = 2000, ttl = 0.2;
    const ZipfPopularity popularity(1000, 0.8);
    for (const bool on_hit : {false, true}) {
      CAPTURE(on_hit);
      const auto reset = on_hit ? analytic::TtlReset::on_hit : analytic::TtlReset::on_miss;
      const auto model = analytic::ttl_model(reset, lambda, 0, ttl);
      const auto e =
          simulate(lambda, 1000, 0.8,
                   {{"policy", "ttl"}, {"ttl", ttl}, {"ttl_reset", on_hit ? "hit" : "miss"}}, 150,
                   5, 10, 31);
      check(e, "hit_ratio", analytic::hit_ratio(popularity, model, 0, 1000), DetectionGoal{0.02});
      for (const KeyBand& band : key_bands(1000)) {
        check(e, band.metric, analytic::hit_ratio(popularity, model, band.first, band.last),
              DetectionGoal{0.04});
      }
      check(e, "entries", analytic::expected_entries(popularity, model), DetectionGoal{0.02});
      check(e, "throughput", lambda, poisson_rate(lambda, e.scenario.duration));
    }
  }

  TEST_CASE("TTL caches with writes: exact hit ratios") {
    const double lambda = 2000, ttl = 0.5, writes = 300;
    const ZipfPopularity popularity(1000, 1.0);
    for (const bool on_hit : {false, true}) {
      CAPTURE(on_hit);
      const auto reset = on_hit ? analytic::TtlReset::on_hit : analytic::TtlReset::on_miss;
      const auto model = analytic::ttl_model(reset, lambda, writes, ttl);
      const auto e = simulate(lambda, 1000, 1.0,
                              {{"policy", "ttl"},
                               {"ttl", ttl},
                               {"ttl_reset", on_hit ? "hit" : "miss"},
                               {"writes", {{"rate", writes}}}},
                              150, 5, 10, 32);
      check(e, "hit_ratio", analytic::hit_ratio(popularity, model, 0, 1000), DetectionGoal{0.02});
      check(e, "entries", analytic::expected_entries(popularity, model), DetectionGoal{0.02});
    }
  }

  TEST_CASE("perfect LFU converges to the static top-C hit ratio") {
    // Keys ranked near C have nearly equal counts and swap, which costs roughly C / (alpha n)
    // of hit ratio after n requests: 1.25e-4 after the 500,000 of the warm-up, a tenth of the
    // interval. C = 5% of the keys: the top 1% are always cached, the rest (beyond 10%) never.
    const ZipfPopularity popularity(1000, 0.8);
    const auto e =
        simulate(1000, 1000, 0.8, {{"policy", "perfect_lfu"}, {"capacity", 50}}, 300, 500, 10, 33);
    const double requests = 1000 * e.scenario.duration;
    const double h = analytic::top_keys_hit_ratio(popularity, 50, 0, 1000);
    check(e, "hit_ratio", h, bernoulli_fraction(h, requests));
    for (const KeyBand& band : key_bands(1000)) {
      const double theory = analytic::top_keys_hit_ratio(popularity, 50, band.first, band.last);
      const double share = popularity.sum([](double p) { return p; }, band.first, band.last);
      if (theory == 0) {
        CHECK(models::estimate_metric(e.result, 1, band.metric, kConfidence).mean == 0);
      } else {
        check(e, band.metric, theory, bernoulli_fraction(theory, share * requests));
      }
    }
  }

  TEST_CASE("in-cache LFU stays below the top-C optimum") {
    // The claim behind "not checked" in validate: it forgets counts, so it does not converge.
    const ZipfPopularity popularity(2000, 0.8);
    const auto e =
        simulate(1000, 2000, 0.8, {{"policy", "lfu"}, {"capacity", 100}}, 300, 100, 10, 34);
    const sim::Estimate estimate = models::estimate_metric(e.result, 1, "hit_ratio", kConfidence);
    const double optimum = analytic::top_keys_hit_ratio(popularity, 100, 0, 2000);
    INFO("in-cache LFU ", estimate.mean, " +- ", estimate.half_width, ", top-C ", optimum);
    CHECK(estimate.mean + estimate.half_width < optimum);
  }

  TEST_CASE("FIFO and random replacement match the exact product form") {
    const ZipfPopularity popularity(2000, 0.8);
    const double exact = analytic::fifo_random_hit_ratio(popularity, 100);
    std::uint64_t seed = 35;
    for (const char* kind : {"fifo", "random"}) {
      CAPTURE(kind);
      const auto e =
          simulate(1000, 2000, 0.8, {{"policy", kind}, {"capacity", 100}}, 300, 20, 10, seed++);
      check(e, "hit_ratio", exact, DetectionGoal{0.02});
    }
  }

  TEST_CASE("LRU matches Che's approximation within its stated error") {
    for (const double alpha : {0.6, 1.0}) {
      CAPTURE(alpha);
      const ZipfPopularity popularity(2000, alpha);
      const double t = analytic::lru_characteristic_time(popularity, 100);
      const double che = analytic::hit_ratio(popularity, analytic::lru_che(t), 0, 2000);
      const auto e =
          simulate(1000, 2000, alpha, {{"capacity", 100}}, 300, 20, 10, alpha == 0.6 ? 37 : 38);
      check(e, "hit_ratio", che, DetectionGoal{0.02}, analytic::kCheRelativeError * che);
    }
  }

  TEST_CASE("a hit latency holds hits: L and W by Little's law per hit") {
    const double lambda = 1000, ttl = 0.01, delay = 0.002;
    const ZipfPopularity popularity(1000, 0.8);
    const double h = analytic::hit_ratio(
        popularity, analytic::ttl_model(analytic::TtlReset::on_miss, lambda, 0, ttl), 0, 1000);
    const auto e = simulate(lambda, 1000, 0.8,
                            {{"policy", "ttl"},
                             {"ttl", ttl},
                             {"hit_latency", {{"dist", "exponential"}, {"mean", delay}}}},
                            200, 5, 10, 39);
    check(e, "L", lambda * h * delay, DetectionGoal{0.04});
    check(e, "W", h * delay, DetectionGoal{0.04});
  }

  // A distributed cache: a consistent-hash ring sends each key to one shard, so shard j sees the
  // independent reference model over the keys it owns, with their popularities renormalized, at
  // lambda times their total popularity. Its hit ratio then follows from its key share alone:
  // here per key by the TTL formula, and the top C of its own keys for perfect LFU.
  TEST_CASE("consistent-hash shards: each shard's hit ratio follows from the keys it owns") {
    const double lambda = 3000, alpha = 0.8, ttl = 0.1;
    const std::uint64_t n = 1500, capacity = 40;
    const std::vector<std::string> shards = {"s0", "s1", "s2"};
    const ZipfPopularity popularity(n, alpha);
    const models::HashRing ring(shards, 100);
    for (const bool lfu : {false, true}) {
      CAPTURE(lfu);
      const Json fields = lfu ? Json{{"policy", "perfect_lfu"}, {"capacity", capacity}}
                              : Json{{"policy", "ttl"}, {"ttl", ttl}};
      Json nodes = {keyed_source("in", lambda, zipf_keys(n, alpha), "ring"),
                    {{"name", "ring"},
                     {"type", "balancer"},
                     {"policy", "consistent_hash"},
                     {"virtual_nodes", 100},
                     {"to", shards}}};
      for (const auto& shard : shards) nodes.push_back(cache_node(shard, fields));
      nodes.push_back(sink("hit"));
      nodes.push_back(sink("miss"));
      // Perfect LFU needs its counts separated near rank C (see the single-cache test above).
      Experiment e{scenario(std::move(nodes), lfu ? 200 : 100, lfu ? 400 : 10, 10, lfu ? 42 : 41),
                   {}};
      e.result = models::run_experiment(e.scenario, 2);
      const auto ttl_hit = analytic::ttl_model(analytic::TtlReset::on_miss, lambda, 0, ttl);
      for (std::size_t j = 0; j < shards.size(); ++j) {
        double share = 0, hits = 0;
        std::uint64_t owned = 0;
        for (std::uint64_t key = 0; key < n; ++key) {
          if (ring.owner(key) != j) continue;
          const double p = popularity.probability(key);
          share += p;
          // Keys are numbered by decreasing popularity: a shard's first C keys are its top C.
          hits += p * (lfu ? (owned < capacity ? 1.0 : 0.0) : ttl_hit(p));
          ++owned;
        }
        // Keys drawn independently: the shard's arrivals are a Poisson stream.
        check_estimate(e.result, 2 + j, "arrival_rate", lambda * share,
                       poisson_rate(lambda * share, e.scenario.duration));
        if (lfu) {
          check_estimate(e.result, 2 + j, "hit_ratio", hits / share,
                         bernoulli_fraction(hits / share, lambda * share * e.scenario.duration));
        } else {
          check_estimate(e.result, 2 + j, "hit_ratio", hits / share, DetectionGoal{0.02});
        }
      }
    }
  }
}
