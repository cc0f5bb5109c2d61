#pragma once
// Requests: value types carrying their own timestamps, kept in a pool and referred to by slot.

#include <cstdint>

#include "sim/slot_pool.hpp"

namespace capsim::models {

class Node;

/// Index of a request in its RequestPool.
using RequestId = std::uint32_t;

/// Request::fork_record of a request that is not a fork's child.
inline constexpr std::uint32_t kNoForkRecord = UINT32_MAX;
/// Request::call_record of a request that is not a retry or breaker node's call.
inline constexpr std::uint32_t kNoCallRecord = UINT32_MAX;

struct Request {
  double created = 0;        ///< when its source generated it (end-to-end sojourn starts), s
  double node_arrival = 0;   ///< when it arrived at the node now holding it, s
  double service_start = 0;  ///< when its current service started, s
  double size = 1;           ///< work carried (from a trace), 1 unless given
  std::uint64_t key = 0;     ///< request key (consistent hashing, caches)
  Node* origin = nullptr;    ///< told when the request leaves (closed-loop clients); may be null
  std::uint32_t request_class = 0;  ///< index into the scenario's request classes
  /// A fork's child: its slot in the bookkeeping of the join that collects it; else kNoForkRecord.
  std::uint32_t fork_record = kNoForkRecord;
  /// Not counted end to end (a fork's child, an async node's message): its origin accounts for it
  /// and is told if it leaves through a sink or a rejection.
  bool internal = false;
  /// A call whose caller stopped waiting for it (a retry or breaker node's timeout): the work it
  /// still receives is wasted, and stations count its completion outside their goodput.
  bool abandoned = false;
  /// A retry or breaker node's call: its slot in the bookkeeping of that node (its origin), which
  /// is told when it reaches a sink or is rejected; else kNoCallRecord.
  std::uint32_t call_record = kNoCallRecord;
};

/// Owns every request alive in one replication. Slots are recycled, so once the pool has reached
/// the peak number of requests in the system nothing more is allocated.
class RequestPool final {
 public:
  /// A fresh request with default fields.
  RequestId acquire() {
    const RequestId id = slots_.acquire();
    slots_[id] = Request{};
    return id;
  }
  void release(RequestId id) { slots_.release(id); }
  Request& operator[](RequestId id) { return slots_[id]; }
  const Request& operator[](RequestId id) const { return slots_[id]; }

 private:
  // A free slot's call_record links to the next free one.
  sim::SlotPool<Request, &Request::call_record> slots_;
};

}  // namespace capsim::models
