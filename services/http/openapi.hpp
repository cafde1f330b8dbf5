// The OpenAPI 3.1 document of the HTTP API, written from the route table the server
// dispatches from.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/http/route.hpp"

namespace sage::services::http {

/// Every route of `table` under `paths` (the canonical `/v1` paths; each is also served under
/// `/api/v1`), with its parameters, request body, answer and the shared error answer; the API
/// key as two security schemes (`X-API-Key` and bearer), required by every route that is not
/// `open`.
json openapi_document(const route_table& table);

} // namespace sage::services::http
