/// Typed access to a JSON object, with errors that name the path.
struct JSONReader {
    let object: [String: JSONValue]
    let path: String

    init(_ value: JSONValue, path: String) throws(SnapshotDecodingError) {
        guard case .object(let object) = value else {
            throw SnapshotDecodingError(path: path, message: "expected an object")
        }
        self.object = object
        self.path = path
    }

    func error(_ key: String, _ message: String) -> SnapshotDecodingError {
        SnapshotDecodingError(path: key.isEmpty ? path : (path.isEmpty ? key : "\(path).\(key)"), message: message)
    }

    func has(_ key: String) -> Bool { object[key] != nil }

    func value(_ key: String) throws(SnapshotDecodingError) -> JSONValue {
        guard let value = object[key] else { throw error(key, "missing") }
        return value
    }

    func string(_ key: String) throws(SnapshotDecodingError) -> String {
        guard let value = try self.value(key).stringValue else { throw error(key, "expected a string") }
        return value
    }

    func optionalString(_ key: String) throws(SnapshotDecodingError) -> String? {
        guard has(key) else { return nil }
        return try string(key)
    }

    func bool(_ key: String) throws(SnapshotDecodingError) -> Bool {
        guard let value = try self.value(key).boolValue else { throw error(key, "expected true or false") }
        return value
    }

    func int(_ key: String) throws(SnapshotDecodingError) -> Int {
        guard let value = try self.value(key).integerValue, let int = Int(exactly: value) else { throw error(key, "expected an integer") }
        return int
    }

    func optionalInt64(_ key: String) throws(SnapshotDecodingError) -> Int64? {
        guard has(key) else { return nil }
        guard let value = try self.value(key).integerValue else { throw error(key, "expected an integer") }
        return value
    }

    func array(_ key: String) throws(SnapshotDecodingError) -> [JSONValue] {
        guard let value = try self.value(key).arrayValue else { throw error(key, "expected an array") }
        return value
    }

    func strings(_ key: String) throws(SnapshotDecodingError) -> [String] {
        let values = try array(key)
        guard values.allSatisfy({ $0.stringValue != nil }) else { throw error(key, "expected a list of strings") }
        return values.map { $0.stringValue! }
    }

    func object(_ key: String) throws(SnapshotDecodingError) -> [String: JSONValue] {
        guard let value = try self.value(key).objectValue else { throw error(key, "expected an object") }
        return value
    }

    func optionalObject(_ key: String) throws(SnapshotDecodingError) -> [String: JSONValue]? {
        guard has(key) else { return nil }
        return try object(key)
    }
}
