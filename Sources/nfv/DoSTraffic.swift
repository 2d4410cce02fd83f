/// The programs `nfv bench dos` runs in its namespaces (Python, standard
/// library only): a paced UDP sender of normal flows and an attack, a
/// receiver that counts per source in 10 ms bins, and the plot (matplotlib).
enum DoSTraffic {
    /// argv: DEST NORMAL_SRC ATTACK_SRC FLOWS FLOW_PPS ATTACK_PPS ATTACK_AT ATTACK_END DURATION
    /// Prints {"attack_start": t, "attack_end": t, "sent_normal": n, "sent_attack": n} (wall-clock seconds).
    static let sender = #"""
import json, socket, sys, time
dest, nsrc, asrc = sys.argv[1], sys.argv[2], sys.argv[3]
flows, fpps, apps = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
at, end, duration = float(sys.argv[7]), float(sys.argv[8]), float(sys.argv[9])
normal = []
for i in range(flows):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((nsrc, 5001 + i)); normal.append(s)
attack = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); attack.bind((asrc, 6666))
payload = b"x" * 64
start = time.time(); sent_n = sent_a = 0; a_start = a_end = None
tick = 0.001
next_t = start
owed_n = owed_a = 0.0
while True:
    now = time.time()
    t = now - start
    if t >= duration: break
    owed_n += fpps * tick
    k = int(owed_n); owed_n -= k
    for _ in range(k):
        for s in normal:
            try: s.sendto(payload, (dest, 9000)); sent_n += 1
            except OSError: pass
    if at <= t < end:
        if a_start is None: a_start = now
        owed_a += apps * tick
        k = int(owed_a); owed_a -= k
        for _ in range(k):
            try: attack.sendto(payload, (dest, 9000)); sent_a += 1
            except OSError: pass
        a_end = time.time()
    next_t += tick
    delay = next_t - time.time()
    if delay > 0: time.sleep(delay)
print(json.dumps({"attack_start": a_start, "attack_end": a_end, "sent_normal": sent_n, "sent_attack": sent_a, "start": start}))
"""#

    /// argv: BIND_IP ATTACK_SRC DURATION. Prints {"bins": {t10ms: [normal, attack]}, "normal": n, "attack": n}.
    static let receiver = #"""
import json, socket, sys, time
ip, asrc, duration = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
s.bind((ip, 9000)); s.settimeout(0.2)
print("ready", flush=True)
bins = {}; n = a = 0
end = time.time() + duration
while time.time() < end:
    try: data, (src, port) = s.recvfrom(2048)
    except socket.timeout: continue
    b = int(time.time() * 100)
    c = bins.setdefault(b, [0, 0])
    if src == asrc: c[1] += 1; a += 1
    else: c[0] += 1; n += 1
print(json.dumps({"bins": bins, "normal": n, "attack": a}))
"""#

    /// argv: CSV PNG TITLE ATTACK_START_S MITIGATED_S. The CSV: time_s, offered_normal, delivered_normal, offered_attack, delivered_attack (packets/s).
    static let plot = #"""
import csv, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
rows = list(csv.DictReader(open(sys.argv[1])))
t = [float(r["time_s"]) for r in rows]
fig, ax = plt.subplots(figsize=(9, 4.5), dpi=110)
ax.plot(t, [float(r["offered_attack"]) for r in rows], color="#e53e3e", linestyle="--", label="attack offered")
ax.plot(t, [float(r["delivered_attack"]) for r in rows], color="#e53e3e", label="attack delivered")
ax.plot(t, [float(r["offered_normal"]) for r in rows], color="#3182ce", linestyle="--", label="normal offered")
ax.plot(t, [float(r["delivered_normal"]) for r in rows], color="#3182ce", label="normal delivered")
ax.axvline(float(sys.argv[4]), color="#718096", linewidth=1, linestyle=":", label="attack starts")
ax.axvline(float(sys.argv[5]), color="#38a169", linewidth=1, label="attack below 1 % of offered")
ax.set_xlabel("time (s)"); ax.set_ylabel("packets/s (100 ms bins)"); ax.set_title(sys.argv[3])
ax.legend(loc="upper right"); ax.grid(alpha=.3)
fig.tight_layout(); fig.savefig(sys.argv[2])
"""#
}
