import FlagRuntime

extension HTMLReport {
    /// A flag's page: what it is, its values and rules in plain language, bars per environment, segments,
    /// references, tests, stale findings and history.
    func flagPage(_ entry: ReportModel.FlagEntry) -> String {
        let flag = entry.flag
        let esc = Self.escape
        let links = model.options.links
        var body = "<h1><code>\(esc(flag.key))</code></h1>\n<p class=\"states\">\(badges(entry))</p>\n"
        if let description = flag.metadata.description { body += "<p class=\"description\">\(esc(description))</p>\n" }
        body += "<dl class=\"facts\">\n"
        let owner = flag.metadata.owner.map { "<a href=\"../\(ReportPaths.owner($0, "html"))\">\(esc($0))</a>" } ?? "none"
        var file = "<code>\(esc(entry.file)):\(entry.line)</code>"
        if let links { file = "<a href=\"\(esc(links.file(entry.rootPath, line: entry.line)))\">\(file)</a>" }
        for (term, value) in [("Owner", owner), ("Module", esc(entry.module)), ("Type", esc(typeText(entry))),
                              ("Expires", flag.metadata.expires.map { esc(ReportDates.expiry($0)) } ?? "never"),
                              ("Enabled", flag.enabled ? "yes" : "no (kill switch off)"), ("Environments", esc(environmentsText(entry))), ("Defined in", file)] {
            body += "<dt>\(term)</dt><dd>\(value)</dd>\n"
        }
        for (name, value) in flag.metadata.values.sorted(by: { precedesByUTF8($0.key, $1.key) }) {
            body += "<dt>\(esc(name))</dt><dd>\(esc(JSONWriter(style: .compact).string(value)))</dd>\n"
        }
        body += "</dl>\n"

        body += "<h2>Variants</h2>\n<table class=\"variants\"><thead><tr><th scope=\"col\">Variant</th><th scope=\"col\">Value</th></tr></thead><tbody>\n"
        for variant in flag.variants {
            let isDefault = variant.name == flag.defaultVariant ? " <span class=\"tag\">default</span>" : ""
            body += "<tr><th scope=\"row\">\(esc(variant.name))\(isDefault)</th><td><code>\(esc(ReportValues.text(variant.value)))</code></td></tr>\n"
        }
        body += "</tbody></table>\n"

        body += "<h2>Rules</h2>\n<p>The first rule that matches decides.</p>\n<ol class=\"rules\">\n"
        for rule in entry.rules {
            body += "<li>" + (rule.name.map { "<strong>\(esc($0))</strong>: " } ?? "") + esc(rule.text) + "</li>\n"
        }
        body += "</ol>\n<p class=\"fallback\">\(esc(RuleWording.fallback(of: flag)))</p>\n"

        let splitRules = entry.rules.enumerated().filter { !$0.element.buckets.isEmpty }
        if !splitRules.isEmpty {
            body += "<h2>Rollouts and splits by environment</h2>\n"
            for environment in model.environments.isEmpty ? [nil] : model.environments.map(Optional.some) {
                let applying = splitRules.filter { environment == nil || $0.element.environments.isEmpty || $0.element.environments.contains(environment!) }
                body += "<h3>\(environment.map { esc($0) } ?? "Every environment")</h3>\n"
                if applying.isEmpty { body += "<p>No split or rollout applies here.</p>\n"; continue }
                for (index, rule) in applying {
                    body += "<figure class=\"split\"><figcaption>Rule \(index + 1)\(rule.name.map { ", " + esc($0) } ?? "")</figcaption><div class=\"bar\" role=\"img\" aria-label=\"\(esc(rule.buckets.map { "\($0.variant) \(RuleWording.percent($0.weight))" }.joined(separator: ", ")))\">"
                    for (position, bucket) in rule.buckets.enumerated() where bucket.weight > 0 {
                        body += "<span class=\"bucket bucket-\(position % 6)\" style=\"width: \(Double(bucket.weight) / 100)%\">\(esc(bucket.variant)) \(RuleWording.percent(bucket.weight))</span>"
                    }
                    body += "</div></figure>\n"
                }
            }
        }

        body += "<h2>Segments</h2>\n"
        body += entry.segments.isEmpty ? "<p>Uses no segment.</p>\n" : "<ul>\n" + entry.segments.map { "<li><a href=\"../\(ReportPaths.segment($0, "html"))\">\(esc($0))</a></li>\n" }.joined() + "</ul>\n"

        body += "<h2>References in code</h2>\n"
        if let references = entry.references {
            body += references.isEmpty ? "<p>No reference found: a candidate for removal.</p>\n" : "<ul>\n" + references.map { location in
                let text = "<code>\(esc(location.file)):\(location.line)</code>"
                return "<li>" + (links.map { "<a href=\"\(esc($0.file(location.file, line: location.line)))\">\(text)</a>" } ?? text) + "</li>\n"
            }.joined() + "</ul>\n"
        } else {
            body += "<p>Not scanned (<code>flagc report --refs</code>).</p>\n"
        }

        body += "<h2>Tests</h2>\n"
        body += entry.tests.isEmpty ? "<p>No <code>flagc test</code> case covers it.</p>\n" : "<ul>\n" + entry.tests.map { "<li><code>\(esc($0.file))</code>: \(Self.count($0.cases, "case"))</li>\n" }.joined() + "</ul>\n"

        body += "<h2>Stale findings</h2>\n"
        body += entry.findings.isEmpty ? "<p>None.</p>\n" : "<ul>\n" + entry.findings.map { "<li><code>\(esc($0.id))</code>: \(esc($0.message)); \(esc($0.action))</li>\n" }.joined() + "</ul>\n"

        body += "<h2>History</h2>\n"
        if model.options.history == nil {
            body += "<p>Not read (<code>flagc report --history</code>).</p>\n"
        } else if entry.history.isEmpty {
            body += "<p>No commit on the branch changed it.</p>\n"
        } else {
            body += "<table class=\"history\"><thead><tr><th scope=\"col\">Date</th><th scope=\"col\">Commit</th><th scope=\"col\">Author</th><th scope=\"col\">Change</th></tr></thead><tbody>\n"
            for change in entry.history {
                var commit = "<code>\(esc(String(change.commit.prefix(7))))</code>"
                if let links { commit = "<a href=\"\(esc(links.commit(change.commit)))\">\(commit)</a>" }
                body += "<tr><td>\(ReportDates.day(change.time))</td><td>\(commit) \(esc(change.subject))</td><td>\(esc(change.author))</td><td><ul class=\"plain\">"
                body += change.summaries.map { "<li>\(esc($0))</li>" }.joined() + "</ul></td></tr>\n"
            }
            body += "</tbody></table>\n"
        }
        return page(flag.key, path: ReportPaths.flag(flag.key, "html"), depth: 1, body: body)
    }

    func segmentPage(_ segment: ReportModel.SegmentEntry) -> String {
        let esc = Self.escape
        var body = "<h1>Segment <code>\(esc(segment.name))</code></h1>\n"
        if let description = segment.description { body += "<p class=\"description\">\(esc(description))</p>\n" }
        body += "<p>Defined in <code>\(esc(segment.file))</code>. Matches \(segment.conditions.isEmpty ? "everyone" : esc(segment.conditions.joined(separator: ", ")))."
        body += "</p>\n<h2>Flags that use it</h2>\n"
        body += segment.flags.isEmpty ? "<p>No flag uses it.</p>\n" : "<ul>\n" + segment.flags.map { "<li><a href=\"../\(ReportPaths.flag($0, "html"))\">\(esc($0))</a></li>\n" }.joined() + "</ul>\n"
        if !segment.findings.isEmpty {
            body += "<h2>Stale findings</h2>\n<ul>\n" + segment.findings.map { "<li><code>\(esc($0.id))</code>: \(esc($0.message)); \(esc($0.action))</li>\n" }.joined() + "</ul>\n"
        }
        return page("Segment \(segment.name)", path: ReportPaths.segment(segment.name, "html"), depth: 1, body: body)
    }

    func ownerPage(_ owner: ReportModel.OwnerEntry) -> String {
        let keys = Set(owner.flags)
        let body = "<h1>Owner <code>\(Self.escape(owner.name))</code></h1>\n<p>\(Self.count(owner.flags.count, "flag")).</p>\n"
            + table(model.flags.filter { keys.contains($0.key) }, id: "owner-flags", depth: 1)
        return page("Owner \(owner.name)", path: ReportPaths.owner(owner.name, "html"), depth: 1, body: body)
    }
}
