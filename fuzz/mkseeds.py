#!/usr/bin/env python3
"""Writes the hand-made seed programs for api_fuzz into fuzz/corpus/seeds/.

Each seed is a program in api_fuzz.c's input format: an operation byte
(index into OPS[], +0x80 to run it on T1), then the operation's operand
bytes. The seeds reach the deep paths (instances, calls, memory, globals,
funcrefs, threads, orphans) that random bytes find only slowly. Rerun after
changing OPS[] or an operation's operands in api_fuzz.c:

    python3 fuzz/mkseeds.py
"""
import os
import struct

OPS = ["engine_new", "engine_delete", "module_new", "module_delete", "module_validate", "store_new",
       "store_new2", "store_delete", "store_release", "store_adopt", "store_interrupt", "instance_new",
       "instance_new2", "get_func", "get_func2", "get_memory", "get_global", "call", "call2", "call3",
       "func_arity", "memory_size", "memory_grow", "memory_read", "memory_write", "global_get",
       "global_set", "sweep", "restart"]
NAMES = ["add", "add2", "sum64", "fmul", "id_fr", "trap", "load", "store", "grow", "size", "get_g", "set_g",
         "v", "f", "mem", "g", "c", "fr", "tab", "nope", "", None, "bad-utf8"]
# fixture modules, in the order api_fuzz.c's setup() makes them
MOD_MAIN, MOD_TINY, MOD_IMPORTS, MOD_START_TRAP, MOD_E1_TINY, MOD_E1_MAIN = range(6)
CORRECT = 5  # call pattern: the right argument count and kinds


def op(name, t=0):
    return bytes([OPS.index(name) | (0x80 if t else 0)])


def live(i):
    """choose(): the i-th live handle of the wanted kind"""
    return bytes([i])


def anyk(i):
    """choose(): the i-th handle of the wanted kind, live or not"""
    return bytes([0x90 + i])


NULL_ID = b"\xff"


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def u64(v):
    return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)


def name(n):
    return bytes([NAMES.index(n)])


def get(kind, inst, n, t=0):
    return op({"func": "get_func", "memory": "get_memory", "global": "get_global"}[kind], t) + live(inst) + name(n) + b"\x01"


def call(func, args=b"", t=0, pattern=CORRECT):
    return op("call", t) + live(func) + bytes([pattern]) + args


def store_new(engine=0, t=0):
    return op("store_new", t) + live(engine)


def instance_new(store, module, t=0):
    return op("instance_new", t) + live(store) + live(module)


def mem_rw(write, mem, off, length, fill=0x5A, t=0):
    # b < 96: offset = u8 + (b % 4) * 64 KiB; lb < 160: len = lb
    page = off // 65536
    return op("memory_write" if write else "memory_read", t) + live(mem) + bytes([page, length]) + bytes([off % 256]) + bytes([fill])


def global_set_i32(g, v, t=0):
    return op("global_set", t) + live(g) + b"\x01" + u64(v)


def global_set_fr(g, func_choice, t=0):
    return op("global_set", t) + live(g) + b"\x01" + func_choice


SEEDS = {}

# one instance of the main module: every export, call, memory and global path
s = store_new() + instance_new(0, MOD_MAIN)
for n in ["add", "sum64", "fmul", "id_fr", "trap", "load", "store", "grow", "size", "get_g", "set_g", "v"]:
    s += get("func", 0, n)
# funcs (live, in order): add0 sum64 1 fmul 2 id_fr 3 trap 4 load 5 store 6 grow 7 size 8 get_g 9 set_g 10 v 11
s += get("func", 0, "add2")  # the same handle as "add"
s += get("memory", 0, "mem") + get("global", 0, "g") + get("global", 0, "c") + get("global", 0, "fr")
s += call(0, u32(40) + u32(2)) + call(1, u64(1 << 40) + u64(5)) + call(2, u32(3) + u32(4))
s += mem_rw(1, 0, 100, 16, 0x11) + mem_rw(0, 0, 96, 24) + call(5, bytes([100]))
s += call(6, bytes([8]) + u32(0xDEADBEEF)) + mem_rw(0, 0, 0, 16)
s += call(5, bytes([64 + 2]))  # load at size - 2: out of bounds, traps
s += global_set_i32(0, 77) + op("global_get") + live(0) + b"\x01" + call(9) + call(10, u32(-5)) + call(9)
s += global_set_fr(2, live(0)) + op("global_get") + live(2) + b"\x01" + call(3, live(3))
s += op("memory_grow") + live(0) + b"\x01" + op("memory_size") + live(0) + b"\x01" + call(7, u32(1)) + call(8)
s += call(7, u32(5)) + call(4) + call(11, bytes(range(16))) + op("func_arity") + live(11) + b"\x00"
s += op("global_set") + live(1) + b"\x01" + u64(1)  # immutable
s += op("store_delete") + live(0) + call(0, u32(1) + u32(2))  # stale func
SEEDS["main_module_tour"] = s

# ownership: a store made on T1, refused on T0, released, adopted, orphaned
s = store_new(0, t=1) + instance_new(0, MOD_MAIN, t=1) + get("func", 0, "add", t=1)
s += call(0, u32(1) + u32(2)) + call(0, u32(1) + u32(2), t=1)  # T0: wrong thread
s += op("store_release", 1) + live(0) + call(0, u32(1) + u32(2), t=1)  # released: nobody
s += op("store_adopt") + live(0) + call(0, u32(3) + u32(4))  # T0 owns it now
s += op("store_delete", 1) + live(0)  # T1 may not delete it
s += store_new(0, t=1) + op("restart") + op("sweep") + b"\x02" + live(1)  # T1 exits: an orphan
s += op("store_adopt", 1) + live(1) + op("store_delete") + live(1) + op("store_delete") + live(0)
SEEDS["ownership_and_orphans"] = s

# an interrupted start function must not leave the interrupt armed
# (regression: wb_instance_new returned WB_ERR_LINK and the store's next trap
# was reported as WB_ERR_INTERRUPTED)
s = store_new() + op("store_interrupt", 1) + live(0) + instance_new(0, MOD_START_TRAP)
s += instance_new(0, MOD_MAIN) + get("func", 0, "trap") + call(0) + instance_new(0, MOD_START_TRAP)
s += op("store_interrupt") + live(0) + call(0) + call(0)
SEEDS["interrupted_start_function"] = s

# engines and modules of the input's own, deleted while in use
s = op("engine_new") + op("module_new") + live(2) + b"\x02" + store_new(2) + instance_new(0, 6)
s += op("engine_delete") + live(2) + get("func", 0, "f") + call(0) + op("store_new") + anyk(2)  # deleted engine
s += op("module_delete") + live(6) + instance_new(0, 5) + get("memory", 1, "mem") + mem_rw(0, 0, 0, 8)
s += op("module_new") + live(0) + b"\x00" + op("module_new") + live(1) + b"\x01" + instance_new(0, 6)
s += instance_new(0, MOD_E1_TINY) + op("module_validate") + live(0) + bytes([8]) + b"\x00asm\x01\x00\x00\x00"
s += op("module_validate") + live(0) + bytes([5]) + b"(mod)"
SEEDS["own_engines_and_modules"] = s

# funcrefs across stores and threads
s = store_new() + store_new() + store_new(0, t=1)
s += instance_new(0, MOD_MAIN) + instance_new(1, MOD_MAIN) + instance_new(2, MOD_MAIN, t=1)
s += get("func", 0, "id_fr") + get("func", 1, "add") + get("func", 2, "add", t=1) + get("global", 0, "fr")
s += call(0, live(1))  # a func of another store
s += call(0, live(2))  # a func of T1's store
s += call(0, NULL_ID) + call(0, live(0)) + global_set_fr(0, live(1)) + global_set_fr(0, live(0))
s += op("global_get") + live(0) + b"\x01" + op("store_delete") + live(1) + call(0, anyk(1))
SEEDS["funcrefs_across_stores"] = s

# forged ids: bit flips, other generations and kind tags, raw values
s = store_new() + instance_new(0, MOD_MAIN) + get("func", 0, "add") + get("memory", 0, "mem")
for sel in [b"\xd0\x00\x05", b"\xd8\x00\x3f", b"\xe0\x00\x00", b"\xe2\x00\x02", b"\xe8\x00\x04", b"\xf0\x00\x01",
            b"\xf4" + u64(0x0000000107000001), b"\xc0\x01", NULL_ID]:
    for k in range(7):
        s += op("sweep") + bytes([k]) + sel
s += op("call") + b"\xd4\x00\x20" + bytes([CORRECT]) + u32(1) + u32(2)
SEEDS["forged_ids"] = s

# memory edges: 0-length at the end, 1 past it, huge lengths, NULL buffers, grow
s = store_new() + instance_new(0, MOD_MAIN) + get("memory", 0, "mem")
s += op("memory_read") + live(0) + bytes([96, 0]) + b"\x00"  # len 0 at offset size: NULL buffer, OK
s += op("memory_write") + live(0) + bytes([97, 1]) + b"\x00"  # size - 1, 1 byte
s += op("memory_read") + live(0) + bytes([96, 1]) + b"\x00"  # size, 1 byte: out of bounds
s += op("memory_read") + live(0) + bytes([200, 230]) + u64(-1) + b"\x00"
s += op("memory_write") + live(0) + bytes([10, 170]) + b"\x07\x33"
s += op("memory_grow") + live(0) + bytes([201]) + u64(-1) + op("memory_grow") + live(0) + b"\x02"
s += op("memory_read") + live(0) + bytes([100, 161]) + b"\x00"
SEEDS["memory_edges"] = s


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "seeds")
    os.makedirs(out, exist_ok=True)
    for n, data in SEEDS.items():
        with open(os.path.join(out, n), "wb") as f:
            f.write(data)
    print(f"wrote {len(SEEDS)} seeds to {out}")


if __name__ == "__main__":
    main()
