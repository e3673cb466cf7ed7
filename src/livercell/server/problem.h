// Problem documents (RFC 9457) as the server answers them, and what of an error a client may
// read.
#ifndef LIVERCELL_SERVER_PROBLEM_H_
#define LIVERCELL_SERVER_PROBLEM_H_

#include <string>

#include "livercell/base/status.h"

namespace livercell::server {

// The members RFC 9457 defines plus our error object's (field, value, what was allowed).
std::string ProblemBody(const base::Status& status, const std::string& instance,
                        const std::string& request_id);
// A 405 problem (no status code of ours maps to it): `detail` names the methods served.
std::string MethodNotAllowedBody(const std::string& detail, const std::string& instance);

// What a client may read of `status` (issue #23): the database's own words (table and
// constraint names, SQL) and internal failures stay in the server's log (stderr, written
// here) under the request id the client is given; a constraint violation keeps its meaning
// (409) in plain words. Other errors are the client's to read and pass unchanged.
base::Status PublicStatus(const base::Status& status, const std::string& request_id);

}  // namespace livercell::server

#endif  // LIVERCELL_SERVER_PROBLEM_H_
