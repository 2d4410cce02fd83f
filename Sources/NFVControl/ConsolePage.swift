/// The web console (`GET /console`): one page, no build step, nothing
/// fetched from elsewhere.
enum ConsolePage {
    static let html = "<!doctype html><title>SwiftNFV</title><p>console"
}
