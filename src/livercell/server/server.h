// The clinic server (issue #6): the REST API under /api/v1 on Boost.Beast (transport.h), served by the
// livercell binary itself (STYLE.md: Orthanc). Every route is a row of one table
// (server.cc) naming its method, path, the permission it needs and what it does; the
// OpenAPI document is generated from that table, so the two cannot disagree.
#ifndef LIVERCELL_SERVER_SERVER_H_
#define LIVERCELL_SERVER_SERVER_H_

#include <memory>
#include <optional>
#include <string>

#include "livercell/base/result.h"
#include "livercell/domain/assessment/protocol.h"
#include "livercell/domain/plan/course.h"
#include "livercell/domain/product/release.h"
#include "livercell/server/transport.h"

namespace livercell::server {

struct ServeOptions {
  std::string db_url;
  std::string audit_key;  // the audit chain's key file ("": access/audit_key.h's default)
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 = any free port
  std::string tls_cert, tls_key;  // both or neither
  // The clinic's candidacy protocol (read by the caller); empty: the built-in default.
  std::optional<domain::Protocol> protocol;
  // The clinic's calendar for treatment plans; empty: Monday–Friday without holidays.
  std::optional<domain::ClinicCalendar> calendar;
  // The clinic's release specification (read by the caller); empty: the shipped one, which
  // allows no release exceptions.
  std::optional<domain::ReleaseSpec> release_spec;
  // Deadlines, sizes and connection caps (safe defaults; `serve --help` names the flags).
  TransportLimits limits;
};

class Server {
 public:
  // Opens the registry (which must be at the current schema) and prepares the routes.
  static base::Result<std::unique_ptr<Server>> Create(const ServeOptions& options);
  virtual ~Server() = default;
  // Binds the socket; returns the port (useful with port 0).
  virtual base::Result<int> Bind() = 0;
  // Serves until Stop(); requests in flight finish first.
  virtual void Run() = 0;
  virtual void Stop() = 0;
};

// The OpenAPI 3.1 document of the routes.
std::string OpenApiDocument();

}  // namespace livercell::server

#endif  // LIVERCELL_SERVER_SERVER_H_
