#!/usr/bin/env python3
# rep.py BIN ROUNDS ITEMS CAPS THREADS NAMES(comma; first = reference)  -- interleaved child runs of the report's transfer
import subprocess, sys, statistics
binp, rounds, items = sys.argv[1], int(sys.argv[2]), sys.argv[3]
caps = sys.argv[4].split(','); threads = sys.argv[5].split(','); names = sys.argv[6].split(',')
for t in threads:
    for c in caps:
        per = {n: [] for n in names}
        for r in range(rounds):
            for n in names:
                b, q = (n.split('|') if '|' in n else (binp, n))
                args = [b, '--child', 'batch', q[6:], t, items, '8', '20000'] if q.startswith('batch:') else [b, '--child', 'transfer', q, c, t, items, '20000']
                out = subprocess.run(args, capture_output=True, text=True)
                ns = int(out.stdout.strip().split('=')[1]) if out.returncode == 0 else None
                per[n].append(int(items) / (ns / 1e9) if ns else float('nan'))
        line = f"{t}/{t} cap {c:>6}:"
        for n in names:
            line += f"  {n} {statistics.median(per[n])/1e6:.2f}M"
        ref = names[0]
        for n in names[1:]:
            rs = sorted(a / b for a, b in zip(per[n], per[ref]))
            line += f"  {n}/{ref} {rs[len(rs)//2]:.2f}x [{rs[len(rs)//4]:.2f}-{rs[len(rs)*3//4]:.2f}]"
        print(line, flush=True)
