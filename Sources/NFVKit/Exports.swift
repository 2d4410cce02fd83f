// What an NF author needs comes with `import NFVKit`: the value types of
// NFVCore and the packet views of NFVShared, not the shared-memory internals.
@_exported import NFVCore
@_exported import struct NFVShared.Packet
@_exported import struct NFVShared.PacketBatch
@_exported import class NFVShared.ActionBuffer
@_exported import struct NFVShared.IdlePolicy
@_exported import enum NFVShared.CycleClock
@_exported import struct NFVShared.NFCounters
@_exported import enum NFVShared.NFVError
@_exported import NFVPacket
