#include <doctest/doctest.h>
#include <iostream>
#include <string>
#include <vector>
#include "models/scenario.hpp"
using namespace capsim::models;
static const char* kSrc = R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "q"})";
static const char* kSink = R"({"name": "out", "type": "sink"})";
static std::string st(const std::string& service) { return R"({"name": "q", "type": "station", "service": )" + service + R"(, "to": "out"})"; }
static std::string doc(const std::vector<std::string>& nodes) { std::string s = R"({"duration": 100, "nodes": [)"; for (size_t i=0;i<nodes.size();++i){ if(i) s+=", "; s+=nodes[i];} return s+"]}"; }
TEST_CASE("probe") {
  std::vector<std::string> texts = {
    "{\"duration\": 100,\n  \"nodes\": [}", "", "[]", "42", "null",
    R"({"duraton": 100, "nodes": []})", R"({"nodes": []})", R"({"duration": -5})", R"({"duration": 0})", R"({"duration": "100"})",
    R"({"duration": 1e400})",
    R"({"duration": 1, "replications": 1})", R"({"duration": 1, "replications": 2.5})", R"({"duration": 1, "seed": -1})",
    R"({"duration": 1})", R"({"duration": 1, "nodes": []})", R"({"duration": 1, "nodes": {}})",
    doc({"42"}), doc({R"({"type": "sink"})"}), doc({kSrc, st(R"({"dist": "exponential", "mean": 0.5})"), R"({"name": "in", "type": "sink"})"}),
    doc({R"({"name": "q", "type": "staton"})"}),
    doc({R"({"name": "q", "type": "station", "srvers": 2})"}),
    doc({R"({"name": "q", "type": "station", "to": "out"})"}),
    doc({R"({"name": "in", "type": "source", "to": "q"})"}),
    doc({R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}})"}),
    doc({R"({"name": "q", "type": "station", "servers": "four"})"}),
    doc({R"({"name": "q", "type": "station", "servers": 2.5})"}),
    doc({R"({"name": "q", "type": "station", "servers": true})"}),
    doc({R"({"name": "q", "type": "station", "servers": 0})"}),
    doc({R"({"name": "q", "type": "station", "servers": -3})"}),
    doc({R"({"name": "q", "type": "station", "servers": 1e20})"}),
    doc({R"({"name": "q", "type": "station", "servers": 4, "capacity": 3})"}),
    doc({R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 0}, "to": "q"})"}),
    doc({kSrc, st(R"({"dist": "exponential", "mean": -0.5})")}),
    doc({kSrc, st(R"({"dist": "exponential", "mean": 0.5, "rate": 2})")}),
    doc({kSrc, st(R"({"dist": "exponential"})")}),
    doc({kSrc, st(R"({"dist": "exponental", "mean": 1})")}),
    doc({kSrc, st(R"({"mean": 1})")}),
    doc({kSrc, st(R"(0.5)")}),
    doc({kSrc, st(R"({"dist": 3})")}),
    doc({kSrc, st(R"({"dist": "lognormal", "mean": 1, "cv": 0})")}),
    doc({kSrc, st(R"({"dist": "hyperexponential", "mean": 1, "cv": 1})")}),
    doc({kSrc, st(R"({"dist": "pareto", "mean": 1, "alpha": 1})")}),
    doc({kSrc, st(R"({"dist": "uniform", "low": 2, "high": 1})")}),
    doc({kSrc, st(R"({"dist": "erlang", "mean": 1, "k": 0})")}),
    doc({kSrc, st(R"({"dist": "empirical", "values": []})")}),
    doc({kSrc, st(R"({"dist": "empirical", "values": [1, -1]})")}),
    doc({kSrc, st(R"({"dist": "empirical", "values": [0, 0]})")}),
    doc({kSrc, st(R"({"dist": "gamma", "mean": 1, "shape": 0})")}),
    doc({kSrc, st(R"({"dist": "exponential", "mean": 1}, "to": "ot")"), kSink}),
    doc({kSrc, st(R"({"dist": "exponential", "mean": 1})"), kSink, R"({"name": "x", "type": "station", "service": {"dist": "exponential", "mean": 1}, "to": "in"})"}),
    doc({R"({"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "a"})", R"({"name": "a", "type": "station", "service": {"dist": "exponential", "mean": 1}, "to": "b"})", R"({"name": "b", "type": "station", "service": {"dist": "exponential", "mean": 1}, "to": "a"})", kSink}),
    doc({kSrc, R"({"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 1}, "to": "q"})", kSink}),
    doc({st(R"({"dist": "exponential", "mean": 1})"), kSink}),
    doc({R"({"name": "out", "type": "sink", "to": "x"})"}),
    R"({"duration": 1, "a/b~c": 1})", R"({"duration": 1, "name": 5})", R"({"duration": 1, "warmup": -1})",
    doc({R"({"name": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "type": "nope"})"}),
  };
  for (auto& t : texts) {
    try { auto d = parse_json_text(t, "bad.json"); parse_scenario(d, "bad.json"); std::cout << "NO THROW: " << t << "\n"; }
    catch (const InputError& e) { std::cout << e.what() << "\n"; } catch (const std::exception& e) { std::cout << "OTHER: " << e.what() << "\n"; }
  }
}
