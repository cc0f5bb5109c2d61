#include "tests/fuzz/fuzz_inputs.hpp"

#include <fstream>
#include <stdexcept>

#include "models/io/trace.hpp"
#include "models/scenario/scenario.hpp"

namespace capsim::fuzz {

std::string load_scenario_text(std::string_view text, const std::string& file) {
  try {
    models::parse_scenario(models::parse_json_text(std::string(text), file), file);
    return "";
  } catch (const models::InputError& error) {
    return error.what();
  }
}

std::string load_trace_text(std::string_view text, const std::string& path) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out.flush()) throw std::runtime_error("cannot write " + path);
  }
  // As if a scenario beside the trace named it, so every message starts with `path`.
  const models::Where where(path, "/nodes/0/trace");
  try {
    models::TraceSpec spec = models::read_trace(models::Json{{"file", path}}, where);
    if (spec.last_time > 0) {
      spec = models::read_trace(models::Json{{"file", path}, {"loop", true}}, where);
    }
    models::TraceReader reader(spec);
    models::TraceRecord record;
    for (std::uint64_t i = 0; i < 3 * spec.requests && reader.next(record);) ++i;
    models::count_trace_requests(spec, 0, spec.period);
    models::count_trace_requests(spec, spec.last_time / 2, 2.5 * spec.period);
    return "";
  } catch (const models::InputError& error) {
    return error.what();
  }
}

bool is_clean_error(const std::string& message, const std::string& file) {
  return message.empty() ||
         (message.starts_with(file + ":") && message.find('\n') == std::string::npos);
}

}  // namespace capsim::fuzz
