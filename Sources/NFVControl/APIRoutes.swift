import Foundation
import Hummingbird
import NFVCore

/// The control API's routes (see `OpenAPIDocument` for all of them): each
/// checks what it was given, hands the manager one `ControlCommand` and
/// returns its reply. Whatever goes wrong comes back as a 4xx or 5xx with
/// an `APIError` body that names the problem; a refused request changes nothing.
struct APIRoutes: Sendable {
    let backend: any ControlBackend
    let events: EventHub
    /// The most a request body may hold.
    static let maxBody = 64 * 1024

    typealias Context = BasicRequestContext

    /// The routes, behind the bearer-token check when `token` is set.
    func router(token: String?) -> Router<Context> {
        let router = Router(context: Context.self)
        router.add(middleware: JSONErrors())
        if let token { router.add(middleware: BearerToken(token: token)) }
        router.get("/openapi.json") { _, _ in Self.response(200, Data(OpenAPIDocument.json.utf8)) }
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/console"]) }
        router.get("/console") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: ConsolePage.html)))
        }
        router.get("/metrics") { _, _ in try await metrics() }
        let v1 = router.group("v1")
        v1.get("status") { _, _ in await run(.status) }
        v1.get("ports") { _, _ in await run(.ports) }
        v1.get("nfs") { _, _ in await run(.nfs) }
        v1.post("nfs") { request, _ in
            let spec: NFLaunchSpec = try await decode(request, allowed: ["kind", "program", "service", "args", "cpu", "restart", "instance", "cpuWeight", "cpuCap"])
            return await run(.launch(spec))
        }
        v1.get("groups") { _, _ in await run(.groups) }
        v1.delete("groups/:name") { _, context in await run(.stopGroup(name: context.parameters.get("name") ?? "")) }
        v1.post("groups") { request, _ in
            let group: NFGroupSpec = try await decode(request, allowed: ["name", "members", "cpu", "cpuWeight", "cpuCap", "restart"],
                                                      nested: ("members", ["kind", "service", "args", "instance"]))
            return await run(.launchGroup(group))
        }
        v1.get("nfs/:instance") { _, context in await run(.nf(instance: try number(context, "instance"))) }
        v1.delete("nfs/:instance") { _, context in await run(.stop(instance: try number(context, "instance"))) }
        v1.patch("nfs/:instance") { request, context in
            let i = try number(context, "instance")
            let body: CPURequest = try await decode(request, allowed: ["cpuWeight", "cpuCap"])
            return await run(.setCPU(instance: i, weight: body.cpuWeight, cap: body.cpuCap))
        }
        v1.post("nfs/:instance/reload") { _, context in await run(.reload(instance: try number(context, "instance"))) }
        v1.get("services") { _, _ in await run(.services) }
        v1.post("services/:service/scale") { request, context in
            let service = try number(context, "service")
            let body: ScaleRequest = try await decode(request, allowed: ["instances"])
            return await run(.scale(service: service, instances: body.instances))
        }
        v1.get("chains") { _, _ in await run(.chains) }
        v1.put("chains/:name") { request, context in
            await run(.setChain(name: context.parameters.get("name") ?? "", body: try await text(request)))
        }
        v1.delete("chains/:name") { _, context in await run(.removeChain(name: context.parameters.get("name") ?? "")) }
        v1.get("rules") { _, _ in await run(.rules) }
        v1.post("rules") { request, _ in await run(.addRule(body: try await text(request), id: nil)) }
        v1.put("rules/:id") { request, context in
            await run(.addRule(body: try await text(request), id: UInt32(try number(context, "id", in: 1...Int(UInt32.max)))))
        }
        v1.delete("rules/:id") { _, context in await run(.removeRule(id: UInt32(try number(context, "id", in: 1...Int(UInt32.max))))) }
        v1.get("stats") { _, _ in await run(.stats) }
        v1.get("events") { request, _ in
            let since = try sinceParameter(request)
            return Self.json(events.events(after: since))
        }
        v1.get("events/stream") { request, _ in
            let since = try sinceParameter(request)
            let stream = events.subscribe(after: since)
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                            body: .init { writer in
                                // A comment first, so that a client knows the stream is open.
                                try await writer.write(ByteBuffer(string: ": swiftnfv events\n\n"))
                                let e = JSONEncoder()
                                e.outputFormatting = .sortedKeys
                                for await event in stream {
                                    let data = String(decoding: try e.encode(event), as: UTF8.self)
                                    try await writer.write(ByteBuffer(string: "id: \(event.seq)\nevent: \(event.kind.rawValue)\ndata: \(data)\n\n"))
                                }
                                try await writer.finish(nil)
                            })
        }
        v1.post("shutdown") { _, _ in await run(.shutdown) }
        return router
    }

    struct ScaleRequest: Decodable { var instances: Int }
    struct CPURequest: Decodable {
        var cpuWeight: Int?
        var cpuCap: Int?
    }

    /// Every route's path and methods (for 405 and its Allow header; keep in step with `router`).
    static let allowedMethods: [(path: [String], methods: [String])] = [
        ("/openapi.json", ["GET"]), ("/", ["GET"]), ("/console", ["GET"]), ("/metrics", ["GET"]),
        ("/v1/status", ["GET"]), ("/v1/ports", ["GET"]), ("/v1/nfs", ["GET", "POST"]), ("/v1/nfs/:instance", ["GET", "DELETE", "PATCH"]),
        ("/v1/groups", ["GET", "POST"]), ("/v1/groups/:name", ["DELETE"]),
        ("/v1/nfs/:instance/reload", ["POST"]), ("/v1/services", ["GET"]), ("/v1/services/:service/scale", ["POST"]),
        ("/v1/chains", ["GET"]), ("/v1/chains/:name", ["PUT", "DELETE"]), ("/v1/rules", ["GET", "POST"]),
        ("/v1/rules/:id", ["PUT", "DELETE"]), ("/v1/stats", ["GET"]), ("/v1/events", ["GET"]), ("/v1/events/stream", ["GET"]),
        ("/v1/shutdown", ["POST"]),
    ].map { (path: $0.0.split(separator: "/").map(String.init), methods: $0.1) }

    /// The methods `path` answers to (empty: no such path).
    static func methods(for path: String) -> [String] {
        let parts = path.split(separator: "/").map(String.init)
        return allowedMethods.first { route in
            route.path.count == parts.count && zip(route.path, parts).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
        }?.methods ?? []
    }

    private func run(_ command: ControlCommand) async -> Response {
        let reply = await backend.perform(command)
        return Self.response(reply.status, reply.body)
    }

    private func metrics() async throws -> Response {
        let reply = await backend.perform(.stats)
        guard reply.status == 200 else { return Self.response(reply.status, reply.body) }
        let stats = try JSONDecoder().decode(PlatformStats.self, from: reply.body)
        // CPU shares come with the NFs' view, not the statistics.
        let nfs = await backend.perform(.nfs)
        let infos = nfs.status == 200 ? (try? JSONDecoder().decode([NFInfo].self, from: nfs.body)) ?? [] : []
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: MetricsExporter.text(stats, nfs: infos))))
    }

    static func response(_ status: Int, _ body: Data) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func json<T: Encodable>(_ value: T) -> Response {
        let r = ControlReply.json(value)
        return response(r.status, r.body)
    }

    /// A path parameter that must be a whole number in `range`.
    private func number(_ context: Context, _ name: String, in range: ClosedRange<Int> = 1...Limits.maxNFs) throws -> Int {
        let raw = context.parameters.get(name) ?? ""
        guard let n = Int(raw) else { throw APIError(status: 400, message: "\(name) '\(raw)' is not a whole number") }
        guard range.contains(n) else { throw APIError(status: 404, message: "no \(name) \(n) (\(range.lowerBound)...\(range.upperBound))") }
        return n
    }

    private func sinceParameter(_ request: Request) throws -> UInt64 {
        guard let raw = request.uri.queryParameters.get("since") else { return 0 }
        guard let n = UInt64(raw) else { throw APIError(status: 400, message: "since '\(raw)' is not an event number (0 or more)") }
        return n
    }

    private func text(_ request: Request) async throws -> String {
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: Self.maxBody) } catch {
            throw APIError(status: 413, message: "the body is larger than \(Self.maxBody) bytes")
        }
        let s = String(buffer: buffer)
        guard !s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw APIError(status: 400, message: "the body is empty: it must be a JSON object") }
        guard s.first(where: { !$0.isWhitespace }) == "{" else { throw APIError(status: 400, message: "the body must be a JSON object") }
        return s
    }

    /// The body as `T`, refusing keys outside `allowed` (and, with `nested`,
    /// keys outside its set in the objects of its list) and naming what is
    /// missing or of the wrong type.
    private func decode<T: Decodable>(_ request: Request, allowed: Set<String>,
                                      nested: (key: String, allowed: Set<String>)? = nil) async throws -> T {
        let data = Data(try await text(request).utf8)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIError(status: 400, message: "the body is not a JSON object")
        }
        if let bad = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError(status: 400, message: "unknown key '\(bad)'; known: \(allowed.sorted().joined(separator: ", "))")
        }
        if let nested, let items = object[nested.key] as? [Any] {
            for (n, item) in items.enumerated() {
                if let bad = (item as? [String: Any])?.keys.sorted().first(where: { !nested.allowed.contains($0) }) {
                    throw APIError(status: 400, message: "\(nested.key)[\(n)]: unknown key '\(bad)'; known: \(nested.allowed.sorted().joined(separator: ", "))")
                }
            }
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch let e as DecodingError {
            throw APIError(status: 400, message: Self.describe(e))
        }
    }

    static func describe(_ e: DecodingError) -> String {
        func path(_ c: DecodingError.Context, _ key: CodingKey? = nil) -> String {
            let keys = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue } + (key.map { [$0.stringValue] } ?? [])
            return keys.joined(separator: ".")
        }
        switch e {
        case .keyNotFound(let k, let c): return "'\(path(c, k))' is missing"
        case .typeMismatch(let t, let c): return "'\(path(c))' must be \(typeName(t))"
        case .valueNotFound(let t, let c): return "'\(path(c))' must be \(typeName(t)), not null"
        case .dataCorrupted(let c):
            return c.codingPath.isEmpty ? "not valid JSON" : "'\(path(c))': \(c.debugDescription)"
        @unknown default: return "\(e)"
        }
    }

    static func typeName(_ t: Any.Type) -> String {
        switch t {
        case is Int.Type, is UInt32.Type: "a whole number"
        case is String.Type: "a string"
        case is [String].Type: "a list of strings"
        default: "\(t)"
        }
    }
}

/// Turns every error a route or the router throws into a JSON `APIError`
/// (404 for an unknown path, 405 with `Allow` for a known path asked with
/// a method it does not take).
struct JSONErrors<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as APIError {
            return APIRoutes.response(e.status, ControlReply.error(e.status, e.message).body)
        } catch let e as HTTPError {
            let methods = APIRoutes.methods(for: request.uri.path)
            if e.status == .notFound, !methods.isEmpty, !methods.contains(request.method.rawValue) {
                var r = APIRoutes.response(405, ControlReply.error(405, "\(request.uri.path) takes \(methods.joined(separator: ", ")), not \(request.method)").body)
                r.headers[.allow] = methods.joined(separator: ", ")
                return r
            }
            let status = Int(e.status.code)
            let message = e.status == .notFound ? "no such resource: \(request.method) \(request.uri.path)" : (e.body ?? e.status.reasonPhrase)
            return APIRoutes.response(status, ControlReply.error(status, message).body)
        } catch {
            return APIRoutes.response(500, ControlReply.error(500, "\(error)").body)
        }
    }
}

/// Asks TCP clients for `Authorization: Bearer TOKEN`; the OpenAPI
/// document and the console page (which hold no data) are open.
struct BearerToken<Context: RequestContext>: RouterMiddleware {
    let token: String
    static var open: Set<String> { ["/openapi.json", "/console", "/"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.open.contains(request.uri.path) { return try await next(request, context) }
        let given = request.headers[.authorization] ?? ""
        let expected = "Bearer " + token
        // Compared in full whatever the first difference (no timing hint).
        let a = Array(given.utf8), b = Array(expected.utf8)
        var diff = a.count ^ b.count
        for i in 0..<min(a.count, b.count) { diff |= Int(a[i] ^ b[i]) }
        guard diff == 0 else {
            var r = APIRoutes.response(401, ControlReply.error(401, given.isEmpty ? "this API needs 'Authorization: Bearer TOKEN' (the token file given to the manager)" : "the bearer token is wrong").body)
            r.headers[.wwwAuthenticate] = "Bearer"
            return r
        }
        return try await next(request, context)
    }
}
