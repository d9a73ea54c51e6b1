// http/segment_param.h: a segment expression read from a JSON body member.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "campaign/segment.h"
#include "common/result.h"

namespace herald::http {

// The expression in a JSON body's `key`, parsed; errors name the key and the position.
Result<campaign::SegmentExpr> ExpressionOf(const boost::json::object& body, std::string_view key);

}  // namespace herald::http
