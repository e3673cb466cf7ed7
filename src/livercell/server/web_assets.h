// The web UI's files (web/ and the vendored uPlot from npm), compiled into the binary by
// cmake/EmbedFiles.cmake so that `livercell serve` needs nothing beside it and works offline.
#ifndef LIVERCELL_SERVER_WEB_ASSETS_H_
#define LIVERCELL_SERVER_WEB_ASSETS_H_

#include <cstddef>
#include <string_view>

namespace livercell::server {

struct WebAsset {
  std::string_view path;  // the URL path: "/ui/app.js"
  std::string_view body;
};

extern const WebAsset kWebAssets[];
extern const std::size_t kWebAssetCount;

}  // namespace livercell::server

#endif  // LIVERCELL_SERVER_WEB_ASSETS_H_
