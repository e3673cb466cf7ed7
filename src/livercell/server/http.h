// The server's view of one HTTP exchange (issue #23): plain values the route handlers read and
// fill, independent of the transport (server/transport.h, Boost.Beast) that parsed the request
// and will write the response.
#ifndef LIVERCELL_SERVER_HTTP_H_
#define LIVERCELL_SERVER_HTTP_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace livercell::server::http {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET"
  std::string path;    // percent-decoded, without the query: "/api/v1/patients/12"
  Fields headers;      // as received; names compare case-insensitively
  Fields params;       // the query, decoded ('+' is a space)
  std::string body;
  std::string remote_address;  // the client's IP address
  bool tls = false;            // arrived over TLS
  std::vector<std::string> matches;  // [0] the path, then each {placeholder} of the route

  bool HasHeader(std::string_view name) const;
  std::string Header(std::string_view name) const;  // "" when absent (the first if repeated)
  bool HasParam(std::string_view name) const;
  std::string Param(std::string_view name) const;  // "" when absent
};

struct Response {
  int status = 200;
  Fields headers;
  std::string body;

  bool HasHeader(std::string_view name) const;
  void SetHeader(std::string_view name, std::string value);  // replaces one of the same name
  void SetContent(std::string content, std::string_view content_type);
};

// "%2F" → "/"; with `plus_is_space`, '+' → ' ' (query strings). Malformed escapes are kept as
// they are.
std::string PercentDecode(std::string_view text, bool plus_is_space);
// "a=1&b=x+y" → {{"a","1"},{"b","x y"}}.
Fields ParseQuery(std::string_view query);

}  // namespace livercell::server::http

#endif  // LIVERCELL_SERVER_HTTP_H_
