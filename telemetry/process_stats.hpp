// The process's own CPU, memory and file descriptors, read from /proc.
#pragma once

namespace igw::telemetry {

struct ProcessStats {
  double cpu_seconds = 0;     // user + system
  double resident_bytes = 0;
  double open_fds = 0;
};

ProcessStats read_process_stats();
// Seconds since the Unix epoch at which this process started.
double process_start_time_seconds();

}  // namespace igw::telemetry
