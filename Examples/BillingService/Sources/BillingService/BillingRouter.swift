import FlagHummingbird
import FlagRuntime
import Hummingbird

/// The request headers the service reads its evaluation context from (set by the gateway in front of it).
/// (`HTTPFields.Element` is HTTPTypes' `HTTPField`, which `import HTTPTypes` names directly.)
extension HTTPFields.Element.Name {
    static let userID = Self("X-User-Id")!
    static let tenant = Self("X-Tenant")!
    static let plan = Self("X-Plan")!
    static let groups = Self("X-Groups")!
}

/// Who a request is for: the user (targeting key), the tenant, the plan and the groups (comma-separated).
@Sendable
func evaluationContext(for request: Request, context _: BasicRequestContext) -> EvaluationContext {
    let groups = request.headers[.groups].map { header in
        header.split(separator: ",").map { $0.trimmingPrefix(while: \.isWhitespace) }.filter { !$0.isEmpty }.map(String.init)
    } ?? []
    // The closure form: the attributes go straight into the context, with no dictionary in between.
    return EvaluationContext(targetingKey: request.headers[.userID], tenant: request.headers[.tenant], groups: groups) { attributes in
        if let plan = request.headers[.plan] { attributes["plan"] = .string(plan) }
    }
}

/// The billing service's routes, evaluating flags in `store`:
///
/// - `GET /health`: always `ok`.
/// - `GET /invoices/settings`: `{"autoGenerate":true|false}`, the flag for the request, read by the handler
///   without passing a context.
/// - `POST /invoices/auto-generate`: gated by `billing.invoice_auto_generate` (403 and a JSON body when off).
/// - `GET /credit-notes`: gated by `billing.credit_notes`, which answers 404 when off, as for a route that does
///   not exist.
public func buildRouter(store: FlagStore) -> Router<BasicRequestContext> {
    let router = Router()
    // First: every route and gate below evaluates for the context this binds.
    router.add(middleware: FlagContextMiddleware(evaluationContext))

    router.get("health") { _, _ in "ok" }

    router.get("invoices/settings") { _, _ -> Response in
        let on = store.isEnabled(Flags.billing.invoiceAutoGenerate)   // the request's context, from the task
        return json("{\"autoGenerate\":\(on)}")
    }

    router.group("invoices/auto-generate")
        .add(middleware: FeatureGate(Flags.billing.invoiceAutoGenerate, store: store))
        .post { _, _ -> Response in
            json("{\"generated\":true}")
        }

    router.group("credit-notes")
        .add(middleware: FeatureGate(Flags.billing.creditNotes, store: store, status: .notFound, contentType: "text/plain; charset=utf-8") { _ in
            "Not Found"
        })
        .get { _, _ in "no credit notes yet" }

    return router
}

private func json(_ text: String) -> Response {
    Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
}
