#include "livercell/clinic/lab_import.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <charconv>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <unordered_map>

#include "livercell/base/csv.h"
#include "livercell/base/string_hash.h"
#include "livercell/base/output_sink.h"
#include "livercell/base/progress.h"
#include "livercell/domain/records/observation.h"
#include "livercell/storage/lab_batch.h"

namespace livercell::clinic {
namespace {

base::Status MapError(const std::string& path, std::string key, std::string message) {
  base::Status status = base::InvalidArgumentError(fmt::format("{}: {}", key, message));
  status.SetPath(path);
  return status;
}

base::Status RowError(std::int64_t line, std::string_view column, base::Status cause) {
  base::Status status(cause.code(), std::string(cause.message()));
  status.SetPath(column.empty() ? fmt::format("line {}", line)
                                : fmt::format("line {}, column \"{}\"", line, column));
  status.SetValue(cause.value()).SetAllowed(std::string(cause.allowed()));
  status.SetSource(std::string(cause.source()));
  return status;
}

struct Columns {
  int patient_id = -1, date = -1, code = -1, value = -1, unit = -1;
};

// What a record parses to: its patient's identifier and the lab result.
struct ParsedRow {
  domain::ExternalId patient;
  domain::LabObservation lab;
};

class LabImporter {
 public:
  LabImporter(storage::Repository& repo, const LabImportOptions& options)
      : repo_(repo), options_(options), batch_(repo) {}

  base::Status Run(base::CsvReader& csv, base::Progress* progress, LabImportResult* result);
  // A CSV line of ~50 bytes takes ~100 in the batch's buffer: sized once from the file's size.
  void ReserveFor(std::size_t csv_bytes) { batch_.Reserve(csv_bytes / 40, csv_bytes * 2); }

 private:
  base::Status ReadHeader(base::CsvReader& csv);
  // Parses one record into `row`; an error names the line and column.
  base::Status ParseRow(std::span<const std::string_view> fields, std::int64_t line,
                        ParsedRow* row) const;
  // A row as parsed: its patient and result, or why not with its fields (for the rejects
  // file).
  struct ParsedItem {
    std::int64_t line = 0;
    base::Status status;
    std::string_view patient;         // the identifier, in its block's text
    storage::LabBatch::Encoded lab;   // in its block's `encoded`
    std::vector<std::string> fields;  // of a rejected row only
  };
  // Consecutive records: read as raw fields by the reading thread, then parsed by whichever
  // thread gets to them first.
  struct Block {
    std::string text;                       // the records' fields, back to back
    std::vector<std::uint32_t> field_end;   // per field, where it ends in text
    std::vector<std::uint32_t> record_end;  // per record, where its fields end in field_end
    std::vector<std::int64_t> lines;        // per record, the line it starts on
    std::vector<ParsedItem> items;          // once parsed
    std::string encoded;                    // the results, encoded for the batch
    base::Status status;                    // a CSV error that stops the import
    std::uint64_t bytes_read = 0;
    bool end = false;  // the last block of the input
    // Empties the block for the next records, keeping its storage.
    void Clear() {
      text.clear();
      field_end.clear();
      record_end.clear();
      lines.clear();
      encoded.clear();
      status = base::OkStatus();
      bytes_read = 0;
      end = false;
    }
  };
  void Parse(Block& block) const;
  class Reader;

  base::Status Store(const ParsedItem& item, const Block& block, LabImportResult* result);
  void Reject(ParsedItem& item, LabImportResult* result);

  storage::Repository& repo_;
  const LabImportOptions& options_;
  storage::LabBatch batch_;
  std::vector<std::string> header_;
  Columns columns_;
  std::unordered_map<std::string, std::int64_t, base::StringHash, std::equal_to<>> patient_ids_;
  std::string rejects_;
};

base::Status LabImporter::ReadHeader(base::CsvReader& csv) {
  LC_ASSIGN_OR_RETURN(const bool any, csv.Next());
  if (!any) return base::InvalidArgumentError("the CSV is empty: expected a header row");
  for (std::string_view field : csv.fields()) header_.emplace_back(field);
  const LabImportMap& map = options_.map;
  const std::pair<const std::string*, int*> wanted[] = {{&map.patient_id, &columns_.patient_id},
                                                        {&map.date, &columns_.date},
                                                        {&map.loinc, &columns_.code},
                                                        {&map.value, &columns_.value},
                                                        {&map.unit, &columns_.unit}};
  for (const auto& [name, index] : wanted) {
    for (std::size_t i = 0; i < header_.size(); ++i) {
      if (header_[i] == *name) *index = static_cast<int>(i);
    }
    if (*index < 0) {
      base::Status status = base::InvalidArgumentError(
          fmt::format("column \"{}\" is not in the header ({}); rename it with --map", *name,
                      fmt::join(header_, ", ")));
      status.SetPath("line 1").SetValue(*name);
      return status;
    }
  }
  return base::OkStatus();
}

base::Status LabImporter::ParseRow(std::span<const std::string_view> fields, std::int64_t line,
                                   ParsedRow* out) const {
  if (fields.size() != header_.size()) {
    return RowError(line, "",
                    base::InvalidArgumentError(fmt::format("{} fields, the header has {}",
                                                           fields.size(), header_.size())));
  }
  const LabImportMap& map = options_.map;
  ParsedRow& row = *out;
  row.patient.system = map.patient_system;
  row.patient.value = fields[columns_.patient_id];
  if (base::Status s = domain::ValidateExternalId(row.patient); !s.ok()) {
    return RowError(line, map.patient_id, std::move(s));
  }
  auto time = domain::ClinicalTime::Parse(fields[columns_.date]);
  if (!time.ok()) return RowError(line, map.date, time.status());
  const std::string_view value_text = fields[columns_.value];
  double value = 0;
  const auto [end, ec] =
      std::from_chars(value_text.data(), value_text.data() + value_text.size(), value);
  if (value_text.empty() || ec != std::errc() || end != value_text.data() + value_text.size()) {
    base::Status status = base::InvalidArgumentError(
        value_text.empty() ? "the value is missing"
                           : fmt::format("\"{}\" is not a number", value_text));
    status.SetValue(std::string(value_text)).SetAllowed("a number");
    return RowError(line, map.value, std::move(status));
  }
  std::string_view code = fields[columns_.code];
  if (!map.codes.empty()) {
    if (auto it = map.codes.find(std::string(code)); it != map.codes.end()) code = it->second;
  }
  if (base::Status s = domain::MakeLabObservation(code, value, fields[columns_.unit], time.value(),
                                                  domain::PlausibilityPolicy::kReject, &row.lab);
      !s.ok()) {
    const std::string_view where = s.path();
    const std::string& column = where == "unit"    ? map.unit
                                : where == "value" ? map.value
                                                   : map.loinc;
    return RowError(line, column, std::move(s));
  }
  // Keyed by content, so the same result imported twice (from any file) is stored once: the
  // patient, code and time are the rest of the labs table's key (schema 6).
  row.lab.source_key.reserve(value_text.size() + row.lab.unit.size() + 5);
  row.lab.source_key.append("csv|").append(value_text).append("|").append(row.lab.unit);
  // Its provenance, "<file> line <n>", is not built here: Store hands the batch both parts.
  return base::OkStatus();
}

// Parses, checks and encodes a block's records: the reading side's work, done on either
// thread.
void LabImporter::Parse(Block& block) const {
  block.items.resize(block.lines.size());
  block.encoded.reserve(block.text.size() * 2);
  ParsedRow row;
  std::vector<std::string_view> fields;
  std::uint32_t field = 0, from = 0;
  for (std::size_t r = 0; r < block.lines.size(); ++r) {
    fields.clear();
    for (; field < block.record_end[r]; ++field) {
      fields.emplace_back(block.text.data() + from, block.field_end[field] - from);
      from = block.field_end[field];
    }
    ParsedItem& item = block.items[r];  // (perhaps a recycled block's: every field is set)
    item.line = block.lines[r];
    item.fields.clear();
    item.patient = {};
    item.lab = {};
    item.status = ParseRow(fields, item.line, &row);
    if (item.status.ok()) {
      item.patient = fields[columns_.patient_id];
      base::Result<storage::LabBatch::Encoded> encoded =
          storage::LabBatch::Encode(row.lab, &block.encoded);
      if (encoded.ok()) {
        item.lab = encoded.value();
        continue;
      }
      item.status = RowError(item.line, "", encoded.status());
    }
    item.fields.assign(fields.begin(), fields.end());
  }
}

base::Status LabImporter::Store(const ParsedItem& item, const Block& block,
                                LabImportResult* result) {
  // Every row's identifier is in the map's one system (options_.map.patient_system).
  auto it = patient_ids_.find(item.patient);
  if (it == patient_ids_.end()) {
    bool created = false;
    const domain::ExternalId patient{options_.map.patient_system, std::string(item.patient)};
    LC_ASSIGN_OR_RETURN(const std::int64_t id, repo_.FindOrCreatePatient(patient, &created));
    it = patient_ids_.emplace(patient.value, id).first;
    ++result->patients;
    if (created) ++result->patients_created;
  }
  return batch_.Add(it->second, item.lab, block.encoded, options_.csv_path, item.line);
}

void LabImporter::Reject(ParsedItem& item, LabImportResult* result) {
  ++result->rejected;
  if (options_.skip_invalid) {
    item.fields.push_back(std::to_string(item.line));
    item.fields.push_back(item.status.ToString());
    base::AppendCsvLine(item.fields, &rejects_);
  }
  if (result->errors.size() < options_.max_reported_errors) {
    result->errors.push_back(item.status);
  }
}

// Reads the CSV on a thread of its own, in blocks of raw fields, while this thread stores the
// rows of the blocks before. Parsing and checking a block (most of the reading side's work)
// is done by whichever thread is free: the reading thread once the queue is full, this one
// when the block it is to store next is not parsed yet; so the two cores share the work
// whatever its balance. At most kQueuedBlocks wait between the two, so memory stays bounded.
class LabImporter::Reader {
 public:
  static constexpr std::size_t kBlockRows = 4096;
  static constexpr std::size_t kQueuedBlocks = 16;

  Reader(const LabImporter& importer, base::CsvReader& csv)
      : importer_(importer), csv_(csv), thread_([this] { Work(); }) {}
  ~Reader() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  // Takes back a block whose rows are stored, for its storage to hold later records (with
  // fresh blocks, the kernel faulting in their pages took a quarter of the reading's time).
  void Recycle(std::unique_ptr<Block> block) {
    std::lock_guard lock(mutex_);
    if (spare_.size() < kQueuedBlocks) spare_.push_back(std::move(block));
  }

  // The next block, parsed, in file order (its `end` set on the last).
  base::Result<std::unique_ptr<Block>> Next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !queue_.empty(); });
    while (queue_.front().state != State::kParsed) {
      // Parse the next block here if the reading thread has not taken it, else one behind it
      // while it does; with none left to parse, wait for it.
      Queued* job = queue_.front().state == State::kRaw ? &queue_.front() : NextRaw();
      if (job == nullptr) {
        changed_.wait(lock, [this] {
          return queue_.front().state == State::kParsed || NextRaw() != nullptr;
        });
        continue;
      }
      ParseUnlocked(*job, lock);
    }
    std::unique_ptr<Block> block = std::move(queue_.front().block);
    queue_.pop_front();
    changed_.notify_all();
    if (!block->status.ok()) return block->status;
    return block;
  }

 private:
  enum class State { kRaw, kParsing, kParsed };
  struct Queued {
    std::unique_ptr<Block> block;
    State state;
  };

  // The oldest block no thread has started parsing, if any (the lock held).
  Queued* NextRaw() {
    for (Queued& queued : queue_) {
      if (queued.state == State::kRaw) return &queued;
    }
    return nullptr;
  }

  // Parses `job` with the lock released. (A queued block stays where it is until it is taken
  // off the front, and only parsed blocks are taken.)
  void ParseUnlocked(Queued& job, std::unique_lock<std::mutex>& lock) {
    job.state = State::kParsing;
    lock.unlock();
    importer_.Parse(*job.block);
    lock.lock();
    job.state = State::kParsed;
    changed_.notify_all();
  }

  // Reads up to kBlockRows records as raw fields; at the end of the input or on an error the
  // block is the last.
  std::unique_ptr<Block> ReadBlock(std::unique_ptr<Block> block) {
    if (block == nullptr) {
      block = std::make_unique<Block>();
    } else {
      block->Clear();
    }
    block->lines.reserve(kBlockRows);
    while (block->lines.size() < kBlockRows) {
      base::Result<bool> any = csv_.Next();
      if (!any.ok()) block->status = any.status();
      if (!any.ok() || !*any) {
        block->end = true;
        break;
      }
      const auto fields = csv_.fields();
      if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
      for (const std::string_view field : fields) {
        block->text.append(field);
        block->field_end.push_back(static_cast<std::uint32_t>(block->text.size()));
      }
      block->record_end.push_back(static_cast<std::uint32_t>(block->field_end.size()));
      block->lines.push_back(csv_.line());
    }
    block->bytes_read = csv_.bytes_read();
    return block;
  }

  void Work() {
    std::unique_lock lock(mutex_);
    bool more = true;
    while (!stop_) {
      if (more && queue_.size() < kQueuedBlocks) {
        std::unique_ptr<Block> spare;
        if (!spare_.empty()) {
          spare = std::move(spare_.back());
          spare_.pop_back();
        }
        lock.unlock();
        std::unique_ptr<Block> block = ReadBlock(std::move(spare));
        lock.lock();
        more = !block->end;
        // A block that ends on an error is not parsed: the import stops at it.
        const State state = block->status.ok() ? State::kRaw : State::kParsed;
        queue_.push_back({std::move(block), state});
        changed_.notify_all();
      } else if (Queued* job = NextRaw()) {
        ParseUnlocked(*job, lock);
      } else if (!more) {
        return;  // everything read, and every block parsed or being parsed
      } else {
        changed_.wait(lock, [this] { return stop_ || queue_.size() < kQueuedBlocks; });
      }
    }
  }

  const LabImporter& importer_;
  base::CsvReader& csv_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Queued> queue_;
  std::vector<std::unique_ptr<Block>> spare_;  // stored blocks, to be read into again
  bool stop_ = false;
  std::thread thread_;  // last: starts once the rest is ready
};

base::Status LabImporter::Run(base::CsvReader& csv, base::Progress* progress, LabImportResult* result) {
  LC_RETURN_IF_ERROR(ReadHeader(csv));
  if (options_.skip_invalid) {
    std::vector<std::string> header = header_;
    header.push_back("line");
    header.push_back("reason");
    base::AppendCsvLine(header, &rejects_);
  }
  std::uint64_t bytes_read = csv.bytes_read();
  {
    Reader reader(*this, csv);
    for (bool more = true; more;) {
      LC_ASSIGN_OR_RETURN(std::unique_ptr<Block> block, reader.Next());
      for (ParsedItem& item : block->items) {
        ++result->rows;
        if (!item.status.ok()) {
          Reject(item, result);
        } else if (result->rejected == 0 || options_.skip_invalid) {
          LC_RETURN_IF_ERROR(Store(item, *block, result));
        }
      }
      bytes_read = block->bytes_read;
      if (progress != nullptr) progress->Update(result->rows, bytes_read);
      more = !block->end;
      reader.Recycle(std::move(block));
    }
  }
  LC_RETURN_IF_ERROR(batch_.Flush());
  result->imported = batch_.stored();
  result->already_present = batch_.already_present();
  if (progress != nullptr) progress->Finish(result->rows, bytes_read);
  if (options_.skip_invalid) {
    LC_ASSIGN_OR_RETURN(std::unique_ptr<base::OutputSink> sink, base::OutputSink::Open(options_.rejects_path));
    sink->Write(rejects_);
    LC_RETURN_IF_ERROR(sink->Commit());
  }
  return base::OkStatus();
}

}  // namespace

base::Result<LabImportMap> LoadLabImportMap(const std::string& path) {
  LabImportMap map;
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    base::Status status = base::InvalidArgumentError(fmt::format(
        "line {}, column {}: {}", e.source().begin.line, e.source().begin.column, e.description()));
    status.SetPath(path);
    return status;
  }
  for (const auto& [section, node] : table) {
    const std::string name(section.str());
    if (name != "columns" && name != "patient" && name != "codes") {
      return MapError(path, name, "unknown section (use [columns], [patient] or [codes])");
    }
    if (!node.is_table()) return MapError(path, name, "expected a table");
  }
  if (const toml::table* columns = table["columns"].as_table()) {
    for (const auto& [key, node] : *columns) {
      const std::string k(key.str());
      std::string* target = k == "patient_id" ? &map.patient_id
                            : k == "date"     ? &map.date
                            : k == "loinc"    ? &map.loinc
                            : k == "value"    ? &map.value
                            : k == "unit"     ? &map.unit
                                              : nullptr;
      if (target == nullptr) {
        return MapError(path, "columns." + k,
                        "unknown column (use patient_id, date, loinc, value, unit)");
      }
      const auto text = node.value<std::string>();
      if (!text) return MapError(path, "columns." + k, "expected a string (the CSV header name)");
      *target = *text;
    }
  }
  if (const toml::table* patient = table["patient"].as_table()) {
    for (const auto& [key, node] : *patient) {
      const std::string k(key.str());
      const auto text = node.value<std::string>();
      if (k != "system" || !text) {
        return MapError(path, "patient." + k, "only `system = \"...\"` is allowed here");
      }
      map.patient_system = *text;
    }
  }
  if (const toml::table* codes = table["codes"].as_table()) {
    for (const auto& [key, node] : *codes) {
      const auto text = node.value<std::string>();
      if (!text)
        return MapError(path, "codes." + std::string(key.str()), "expected a LOINC string");
      map.codes[std::string(key.str())] = *text;
    }
  }
  return map;
}

base::Result<LabImportResult> ImportLabs(const Context& context, const Actor& actor,
                                         const LabImportOptions& options,
                                         base::Progress* progress) {
  if (base::Status allowed =
          Authorize(actor, access::Permission::kRecordLabs, "import lab results", true);
      !allowed.ok()) {
    return Refuse(context, actor, "import", std::nullopt, std::move(allowed));
  }
  LC_ASSIGN_OR_RETURN(std::unique_ptr<base::CsvReader> csv,
                      base::CsvReader::Open(options.csv_path));
  csv->HashInput();
  if (progress != nullptr) progress->set_total_bytes(csv->size_bytes());
  LabImportResult result;
  const base::Status status = context.journal.RecordEditing(
      EntryFor(actor, "import", std::nullopt, context.now),
      [&](storage::Repository& repo, access::AuditEntry& entry) -> base::Status {
        result = LabImportResult();
        LabImporter importer(repo, options);
        importer.ReserveFor(csv->size_bytes());
        LC_RETURN_IF_ERROR(importer.Run(*csv, progress, &result));
        entry.resource += fmt::format(" (sha256:{} rows {} written {} already {} rejected {})",
                                      csv->InputSha256(), result.rows, result.imported,
                                      result.already_present, result.rejected);
        if (result.rejected > 0 && !options.skip_invalid) {
          entry.resource += " (nothing imported)";
          entry.outcome = "rejected";
          return base::InvalidArgumentError(
              fmt::format("{} of {} rows are invalid", result.rejected, result.rows));
        }
        return base::OkStatus();
      });
  if (!status.ok() && result.rejected > 0 && !options.skip_invalid) {
    result.imported = result.already_present = 0;
    result.patients = result.patients_created = 0;
    return result;
  }
  LC_RETURN_IF_ERROR(status);
  return result;
}

}  // namespace livercell::clinic
