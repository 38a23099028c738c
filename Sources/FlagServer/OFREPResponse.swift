import FlagRuntime

/// Renders OFREP 0.3.0 response bodies (`service/openapi.yaml`) as compact JSON with sorted keys.
enum OFREPResponse {
    /// The HTTP status and body of a single-flag evaluation (`POST /ofrep/v1/evaluate/flags/{key}`).
    ///
    /// 200 with `key`, `metadata`, `reason`, `value` and `variant`; a disabled flag is 200 without `value` and
    /// `variant` (OFREP's "code default": the caller uses its own default); 404 `FLAG_NOT_FOUND`; 400 for
    /// `TARGETING_KEY_MISSING` and any other evaluation error.
    static func single(_ evaluation: RemoteEvaluation) -> (status: Int, body: [UInt8]) {
        var json = JSONEmitter(style: .compact, capacity: 192)
        let status = append(evaluation, to: &json)
        return (status, json.finish())
    }

    /// The bulk body (`POST /ofrep/v1/evaluate/flags`): `eventStreams`, every flag's result (failures inside),
    /// and `metadata` naming the snapshot and environment (so the body, and the ETag hashed from it, changes
    /// with either).
    static func bulk(_ results: [RemoteEvaluation], snapshotID: String, environment: String?, eventStreamPath: String?) -> [UInt8] {
        var json = JSONEmitter(style: .compact, capacity: 96 + results.count * 160)
        json.beginObject()
        if let eventStreamPath {
            json.key("eventStreams")
            json.beginArray()
            json.element()
            json.beginObject()
            json.key("endpoint")
            json.beginObject()
            json.member("requestUri", eventStreamPath)
            json.endObject()
            json.member("type", "sse")
            json.endObject()
            json.endArray()
        }
        json.key("flags")
        json.beginArray()
        for result in results {
            json.element()
            _ = append(result, to: &json)
        }
        json.endArray()
        json.key("metadata")
        json.beginObject()
        if let environment { json.member("environment", environment) }
        json.member("snapshot", snapshotID)
        json.endObject()
        json.endObject()
        return json.finish()
    }

    /// `{"errorCode": CODE, "errorDetails": DETAILS}` (with `key` when given), for 400, 401, 403, 404, 413 and 415.
    static func failure(_ code: OFREPErrorCode, _ details: String, key: String? = nil) -> [UInt8] {
        var json = JSONEmitter(style: .compact, capacity: 64 + details.utf8.count)
        json.beginObject()
        json.member("errorCode", code.rawValue)
        json.member("errorDetails", details)
        if let key { json.member("key", key) }
        json.endObject()
        return json.finish()
    }

    /// `{"errorDetails": DETAILS}`: OFREP's `generalErrorResponse`, for answers outside the evaluation vocabulary.
    static func general(_ details: String) -> [UInt8] {
        var json = JSONEmitter(style: .compact, capacity: 32 + details.utf8.count)
        json.beginObject()
        json.member("errorDetails", details)
        json.endObject()
        return json.finish()
    }

    /// Appends one evaluation object and returns its single-flag status.
    private static func append(_ evaluation: RemoteEvaluation, to json: inout JSONEmitter) -> Int {
        switch evaluation {
        case .targetingKeyMissing(let key, let metadata):
            appendFailure(.targetingKeyMissing, "flag '\(key)' splits by the targeting key; add \"targetingKey\" (a stable id such as the user id) to the context",
                          key: key, metadata: metadata, to: &json)
            return 400
        case .evaluated(let details, let metadata):
            if details.reason == .error {
                let code: OFREPErrorCode = switch details.errorCode {
                case .flagNotFound?: .flagNotFound
                case .parseError?: .parseError
                default: .general
                }
                appendFailure(code, details.errorMessage ?? "the flag could not be evaluated", key: details.flagKey,
                              metadata: code == .flagNotFound ? nil : metadata, to: &json)
                return code == .flagNotFound ? 404 : 400
            }
            json.beginObject()
            json.member("key", details.flagKey)
            json.key("metadata")
            if let metadata {
                json.rawValue(metadata.bytes)
            } else {
                json.value(.object(details.flagMetadata.flattened))
            }
            json.member("reason", details.reason.rawValue)
            if let value = details.value {
                json.key("value")
                json.value(value.jsonValue)
            }
            if let variant = details.variant { json.member("variant", variant) }
            json.endObject()
            return 200
        }
    }

    private static func appendFailure(_ code: OFREPErrorCode, _ details: String, key: String, metadata: FlagMetadataJSON?, to json: inout JSONEmitter) {
        json.beginObject()
        json.member("errorCode", code.rawValue)
        json.member("errorDetails", details)
        json.member("key", key)
        if let metadata, !metadata.isEmpty {
            json.key("metadata")
            json.rawValue(metadata.bytes)
        }
        json.endObject()
    }
}
