import Hummingbird
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Logs one structured line per request through swift-log at `info`: method, route, path, status and duration.
/// (Off when the logger's level is above `info`: `flagc serve --log-level warning`.)
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The logger the lines go to.
    let logger: Logger

    /// Passes the request on and logs its outcome (errors as the status they become).
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard logger.logLevel <= .info else { return try await next(request, context) }
        let start = monotonicNanoseconds()
        do {
            let response = try await next(request, context)
            log(request, context, status: response.status.code, start: start)
            return response
        } catch {
            log(request, context, status: (error as? any HTTPResponseError)?.status.code ?? 500, start: start)
            throw error
        }
    }

    private func log(_ request: Request, _ context: Context, status: Int, start: UInt64) {
        let microseconds = (monotonicNanoseconds() - start) / 1000
        logger.info("request", metadata: [
            "method": "\(request.method.rawValue)",
            "path": "\(request.uri.path)",
            "route": "\(context.endpointPath ?? "-")",
            "status": "\(status)",
            "duration_us": "\(microseconds)",
        ])
    }
}

/// The monotonic clock, in nanoseconds.
func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}
