// A streaming reader for RFC 4180 CSV (comma-separated, optional double quotes, "" inside a
// quoted field, CRLF or LF line ends, newlines allowed inside quotes). Memory stays constant:
// one record at a time, a record capped at kMaxRecordBytes. Used by imports (storage edge) and
// by the statistics CSV reader. Not thread-safe.
#ifndef LIVERCELL_BASE_CSV_H_
#define LIVERCELL_BASE_CSV_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/base/sha256.h"

namespace livercell::base {

class CsvReader {
 public:
  static constexpr std::size_t kMaxRecordBytes = std::size_t{1} << 20;

  // Opens `path` ("-" = standard input). kNotFound if it does not exist, kInvalidArgument if it
  // cannot be read; the path is named in the error.
  static Result<std::unique_ptr<CsvReader>> Open(const std::string& path);
  // Reads from an in-memory string (tests, small inputs).
  static std::unique_ptr<CsvReader> FromString(std::string text);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record. true: fields() holds it; false: end of input. Errors
  // (kInvalidArgument, path "line N"): an unterminated quote, text after a closing quote, a
  // record over kMaxRecordBytes, a read error.
  Result<bool> Next();
  // The fields of the current record, valid until the next call to Next().
  std::span<const std::string_view> fields() const { return fields_; }
  // The 1-based line on which the current record starts.
  std::int64_t line() const { return record_line_; }
  // Bytes consumed so far, and the input's size when known (0 for pipes), for progress.
  std::uint64_t bytes_read() const { return bytes_read_; }
  std::uint64_t size_bytes() const { return size_bytes_; }
  // From now on, every byte read is also hashed (call before the first Next()); InputSha256()
  // gives the SHA-256 of the whole input once Next() has returned false. An import records it,
  // so the audit trail names exactly which file was read, standard input included.
  void HashInput() { hash_ = std::make_unique<Sha256Stream>(); }
  std::string InputSha256() { return hash_ ? hash_->FinalHex() : std::string(); }

 private:
  CsvReader(int fd, bool owns_fd, std::string preload);
  bool Fill();  // false at end of input
  // The common case, fast: a record wholly in the buffer with no quote and no CR but a CRLF
  // line end. Its fields are views of the buffer, nothing is copied. false (nothing read)
  // for any other record, which Next reads byte by byte into record_.
  bool NextPlainRecord();
  Status LineError(std::string message) const;

  int fd_;
  bool owns_fd_;
  std::unique_ptr<Sha256Stream> hash_;
  std::string buffer_;
  std::size_t pos_ = 0;
  bool eof_ = false;
  std::string record_;  // field bytes, unescaped, back to back
  std::vector<std::size_t> ends_;
  std::vector<std::string_view> fields_;
  std::int64_t line_ = 1;
  std::int64_t record_line_ = 0;
  std::uint64_t bytes_read_ = 0;
  std::uint64_t size_bytes_ = 0;
};

// A CSV read by column name: the header row names the columns, each record's cells are read by
// name, and every error names the file, line and column ("pbc.csv line 12, column \"bili\"").
class CsvTable {
 public:
  // Opens `path` and reads its header; the file name (without folders) is used in errors.
  static Result<CsvTable> Open(const std::string& path);

  // The next record; false at the end. A record with another field count than the header is
  // an error.
  Result<bool> Next();
  std::int64_t line() const { return reader_->line(); }
  const std::string& name() const { return name_; }
  // The SHA-256 of the whole file, once Next() has returned false.
  std::string sha256() { return reader_->InputSha256(); }

  bool Has(std::string_view column) const;
  // For readers of millions of rows: a column's index, found once (nullopt when absent), and
  // the current record's cells, valid until the next Next().
  std::optional<std::size_t> IndexOf(std::string_view column) const;
  std::span<const std::string_view> fields() const { return reader_->fields(); }
  // kInvalidArgument (at line 1) for the first of `columns` the header lacks.
  Status Require(std::span<const std::string_view> columns) const;
  // The current record's cell (a missing column is an error).
  Result<std::string> Text(std::string_view column) const;
  // The cell as a number; nullopt when empty or NA.
  Result<std::optional<double>> OptionalNumber(std::string_view column) const;
  // The cell as a number, required.
  Result<double> Number(std::string_view column) const;

  // An error at the current line (and column, when not empty).
  Status Error(std::string_view column, std::string message) const;
  // `cause` moved to the current line and `column`, keeping its code, value and allowed range.
  Status Wrap(std::string_view column, const Status& cause) const;

 private:
  std::string name_;
  std::vector<std::string> header_;
  std::unique_ptr<CsvReader> reader_;
};

// `field` as an RFC 4180 field: quoted (inner quotes doubled) when it holds a comma, a quote,
// a CR or LF, or leading/trailing spaces; unchanged otherwise.
std::string CsvField(std::string_view field);

// Appends `fields` as one CSV line (with "\n") to `out`.
void AppendCsvLine(const std::vector<std::string>& fields, std::string* out);

}  // namespace livercell::base

#endif  // LIVERCELL_BASE_CSV_H_
