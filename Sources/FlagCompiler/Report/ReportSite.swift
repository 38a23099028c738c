import Foundation

/// One file of the report: its path inside the output folder and its text.
package struct ReportFile: Sendable, Hashable {
    /// The path below the output folder, with `/` between folders (`flags/billing.invoice_auto_generate.html`).
    package var path: String
    /// The whole content.
    package var text: String

    /// Creates a file.
    package init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

/// Where each page of the report lives, shared by the HTML and markdown renderers so their links agree.
package enum ReportPaths {
    /// A file name for a flag key, segment or owner: letters, digits, `.`, `_` and `-` as they are, any other
    /// character as `~` and its UTF-8 bytes in hex (`@acme/web` → `~40acme~2Fweb`), so different names never share a file.
    package static func slug(_ name: String) -> String {
        var text = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                text += "~" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        // A name of dots only would be `.` or `..`.
        return text.allSatisfy { $0 == "." } ? "~2E" + text.dropFirst() : text
    }

    /// `flags/KEY.EXT`, `segments/NAME.EXT`, `owners/NAME.EXT`.
    package static func flag(_ key: String, _ ext: String) -> String { "flags/\(slug(key)).\(ext)" }
    package static func segment(_ name: String, _ ext: String) -> String { "segments/\(slug(name)).\(ext)" }
    package static func owner(_ name: String, _ ext: String) -> String { "owners/\(slug(name)).\(ext)" }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// Writes a report into its folder as one unit: every file goes into a new sibling folder first
/// (`.DIR.tmp-PID`), which then takes the place of `DIR` by rename; the old folder is removed only after that.
/// A failed run leaves the old `DIR` as it was, and readers never see a half-written report.
package enum ReportSite {
    /// The file every report holds, so that a folder is replaced only when it holds a report.
    package static let marker = ".flagc-report"

    /// Writes `files` as the whole content of `directory` (files of an older report that are not in `files` are gone).
    package static func write(_ files: [ReportFile], to directory: String) throws {
        var path = directory
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        let parent = SnapshotFile.folder(of: path)
        try SnapshotFile.createFolder(parent)
        if let problem = SnapshotFile.folderProblem(path) { throw SnapshotFile.WriteError(path: path, reason: "\(problem); choose another output folder") }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: path), !entries.isEmpty, !entries.contains(marker) {
            throw SnapshotFile.WriteError(path: path, reason: "it is a folder that holds something other than a flagc report (no \(marker) in it), which would be replaced; choose an empty or new folder")
        }
        let name = (path as NSString).lastPathComponent
        let staging = parent + "/.\(name).tmp-\(getpid())"
        let retired = parent + "/.\(name).old-\(getpid())"
        try? FileManager.default.removeItem(atPath: staging)
        try? FileManager.default.removeItem(atPath: retired)
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
            let all = files + [ReportFile(path: marker, text: "A report written by flagc report; the whole folder is replaced by the next one.\n")]
            var folders = Set<String>()
            for file in all where folders.insert(SnapshotFile.folder(of: staging + "/" + file.path)).inserted {
                try FileManager.default.createDirectory(atPath: SnapshotFile.folder(of: staging + "/" + file.path), withIntermediateDirectories: true)
            }
            // Thousands of small files: written in parallel, the first failure reported.
            let failures = ConcurrentMap.map(all) { file -> SnapshotFile.WriteError? in
                do {
                    try SnapshotFile.writeFlushed(Array(file.text.utf8), to: staging + "/" + file.path, mode: 0o644, flush: false)
                    return nil
                } catch let error as SnapshotFile.WriteError {
                    return error
                } catch {
                    return SnapshotFile.WriteError(path: staging + "/" + file.path, reason: "\(error)")
                }
            }
            if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
            let exists = FileManager.default.fileExists(atPath: path)
            if exists, rename(path, retired) != 0 { throw SnapshotFile.WriteError(path: path, reason: "cannot move the old report aside: \(String(cString: strerror(errno)))") }
            guard rename(staging, path) == 0 else {
                let reason = String(cString: strerror(errno))
                if exists { rename(retired, path) }
                throw SnapshotFile.WriteError(path: path, reason: "cannot move the new report into place: \(reason)")
            }
            SnapshotFile.syncFolder(parent)
            if exists { try? FileManager.default.removeItem(atPath: retired) }
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }
}
