import ArgumentParser
struct DemoCommand: ParsableCommand { func run() throws {} }
struct BenchCommand: ParsableCommand { func run() throws {} }
