#include "logs/tail.hpp"

#include <unistd.h>

#include <deque>
#include <memory>
#include <thread>

#include "logs/output.hpp"
#include "logs/source.hpp"

namespace igw::logs {
namespace {

// Filters and renders the lines of one source, into the output or, while -n collects the last N
// matches, into a ring.
class Processor final : public LineHandler {
 public:
  Processor(const Filter& filter, const Renderer& renderer, Output& out, int err_fd, std::string prefix,
            std::size_t max_line)
      : filter_(filter),
        renderer_(renderer),
        out_(out),
        err_fd_(err_fd),
        prefix_(std::move(prefix)),
        max_line_(max_line) {}

  void on_line(std::string_view text, std::size_t dropped) override {
    ++line_no_;
    std::string& dst = collecting_ ? scratch_ : out_.buffer();
    std::size_t before = dst.size();
    if (dropped > 0) {
      on_note(source_ + ": line " + std::to_string(line_no_) + " is " +
              std::to_string(text.size() + dropped) + " bytes, longer than --max-line " +
              std::to_string(max_line_) + "; truncated");
      if (filter_.matches_text(text)) renderer_.other_line(text, prefix_, dropped, dst);
    } else if (line_.parse(text)) {
      if (filter_.matches(line_)) renderer_.json_line(line_, text, prefix_, dst);
    } else if (filter_.matches_text(text)) {
      renderer_.other_line(text, prefix_, 0, dst);
    }
    if (collecting_)
      keep_last(before);
    else
      out_.maybe_flush();
  }

  void on_note(std::string_view note) override {
    out_.flush();
    std::string msg = "igw: " + std::string{note} + "\n";
    [[maybe_unused]] auto n = ::write(err_fd_, msg.data(), msg.size());
  }

  bool on_idle() override {
    if (!collecting_) out_.flush();
    return !out_.broken();
  }

  // -n: keep only the last `keep` rendered entries until end_collecting().
  void start_collecting(std::size_t keep) {
    collecting_ = true;
    keep_ = keep;
  }
  void end_collecting() {
    collecting_ = false;
    for (auto& entry : ring_) {
      out_.buffer() += entry;
      out_.maybe_flush();
    }
    ring_.clear();
  }
  void set_source(std::string name) { source_ = std::move(name); }

 private:
  void keep_last(std::size_t before) {
    if (scratch_.size() > before && keep_ > 0) {
      ring_.emplace_back(scratch_.substr(before));
      if (ring_.size() > keep_) ring_.pop_front();
    }
    scratch_.clear();
  }

  const Filter& filter_;
  const Renderer& renderer_;
  Output& out_;
  int err_fd_;
  std::string prefix_, source_;
  std::size_t max_line_;
  Line line_;
  std::size_t line_no_ = 0;
  bool collecting_ = false;
  std::size_t keep_ = 0;
  std::string scratch_;
  std::deque<std::string> ring_;
};

struct Followed {
  std::unique_ptr<Source> source;
  std::unique_ptr<Processor> processor;
};

std::vector<Followed> make_sources(const TailOptions& o, const Filter& filter, const Renderer& renderer,
                                   Output& out, int err_fd) {
  std::vector<std::string> files = o.files.empty() ? std::vector<std::string>{"-"} : o.files;
  std::vector<Followed> all;
  for (const auto& f : files) {
    auto src = std::make_unique<Source>(f, o.max_line);
    std::string prefix = files.size() > 1 ? src->name() : std::string{};
    auto proc = std::make_unique<Processor>(filter, renderer, out, err_fd, prefix, o.max_line);
    proc->set_source(src->name());
    all.push_back({std::move(src), std::move(proc)});
  }
  return all;
}

int read_once(std::vector<Followed>& all, const TailOptions& o, Output& out) {
  int rc = 0;
  for (auto& f : all) {
    if (o.lines) f.processor->start_collecting(*o.lines);
    if (!f.source->read_all(*f.processor)) rc = 1;
    if (o.lines) f.processor->end_collecting();
    out.flush();
    if (out.broken()) return 0;
  }
  return rc;
}

int follow(std::vector<Followed>& all, const TailOptions& o, Output& out) {
  std::size_t keep = o.lines.value_or(kDefaultFollowLines);
  for (auto& f : all) {  // the last lines of what is already there
    f.processor->start_collecting(keep);
    f.source->follow_step(*f.processor);
    f.processor->end_collecting();
  }
  while (true) {
    out.flush();
    if (out.broken()) return 0;
    bool all_finished = true;
    std::size_t got = 0;
    for (auto& f : all) {
      got += f.source->follow_step(*f.processor);
      all_finished = all_finished && f.source->finished();
    }
    if (all_finished) {
      out.flush();
      for (auto& f : all)
        if (f.source->failed()) return 1;
      return 0;
    }
    if (got == 0) {
      out.flush();
      if (out.broken()) return 0;
      std::this_thread::sleep_for(o.poll_interval);
    }
  }
}

}  // namespace

int run_tail(const TailOptions& o, const Filter& filter, int out_fd, int err_fd) {
  Renderer renderer(o.render);
  Output out(out_fd);
  auto all = make_sources(o, filter, renderer, out, err_fd);
  int rc = o.follow ? follow(all, o, out) : read_once(all, o, out);
  out.flush();
  return rc;
}

}  // namespace igw::logs
