#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""双随机抽取独立核验程序 (ssj-draw/1, ssj-draw/2).

An independent re-implementation of docs/draw-spec.md in standard-library Python 3 (>= 3.8), shipped
in every disclosure folder. Run it in the folder (or give the folder):

    python3 verify.py [DIR]

It checks SHA256SUMS, the manifest, the witnesses' commitments (v2), the seed, the whole record,
every replacement in seq order, the draw-time notice (draw-notice.json) and the published list
(results.csv, row by row against the record; the 公示 page index.html against results.csv),
printing each step in Chinese, and ends with one line: `verified` (exit 0) or
`NOT verified: <first difference>` (exit 1). What a pass cannot vouch for (no draw-time notice in
the folder) is printed, marked ！！, just before `verified`. Unreadable input (a missing file, bad
JSON, bad UTF-8) exits 2.
"""
import csv
import hashlib
import html
import io
import json
import os
import re
import sys

SPEC_V1 = "ssj-draw/1"
SPEC_V2 = "ssj-draw/2"
MANIFEST_FILES = ["params.txt", "units.csv", "inspectors.csv", "conflicts.csv", "pools.csv"]
ID_RE = re.compile(r"\A[0-9A-Za-z][0-9A-Za-z._-]{0,63}\Z")
CODE_RE = re.compile(r"\A[a-z0-9][a-z0-9._-]{0,63}\Z")
HEX64_RE = re.compile(r"\A[0-9a-f]{64}\Z")
SALT_RE = re.compile(r"\A[0-9a-f]{32}\Z")
ENTROPY_RE = re.compile(r"\A[0-9A-Za-z]{16,128}\Z")
COUNT_RE = re.compile(r"\A(0|[1-9][0-9]*)\Z")
TIME_RE = re.compile(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z")
HEADERS = {
    "units.csv": "unit_id,category,jurisdiction,tier,positive",
    "inspectors.csv": "inspector_id,department",
    "pools.csv": "pool_id,department,category,jurisdiction,tier,quota",
}
CONFLICT_HEADERS = {SPEC_V1: "inspector_id,unit_id,reason", SPEC_V2: "inspector_id,unit_id"}


class Difference(Exception):
    """The first thing that does not match: the verdict is NOT verified (exit 1)."""


class Unreadable(Exception):
    """Input that cannot be read at all (exit 2)."""


def H(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def say(line):
    print(line, flush=True)


def short(h):
    return h[:16] + "…" if isinstance(h, str) and len(h) > 16 else str(h)


def shown(v):
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)


def read_bytes(folder, rel):
    p = os.path.join(folder, *rel.split("/"))
    try:
        with open(p, "rb") as f:
            return f.read()
    except OSError as e:
        raise Unreadable("无法读取 %s：%s" % (rel, e.strerror or e))


def read_json(folder, rel):
    data = read_bytes(folder, rel)
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise Unreadable("%s 不是 UTF-8 文本" % rel)
    except ValueError as e:
        raise Unreadable("%s 不是有效的 JSON（第 %s 行第 %s 列）" % (rel, getattr(e, "lineno", "?"), getattr(e, "colno", "?")))


# ---- step 1: SHA256SUMS ------------------------------------------------------------------------

def check_sums(folder, needed):
    """Every file SHA256SUMS lists has that digest; every file the check reads is listed."""
    text = read_bytes(folder, "SHA256SUMS").decode("utf-8", "replace")
    listed = {}
    for n, line in enumerate(text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"), 1):
        m = re.match(r"\A([0-9a-f]{64}) [ *](.+)\Z", line)
        if not m:
            raise Difference("SHA256SUMS 第 %d 行：格式应为“64位摘要、两个空格、文件名”" % n)
        rel = m.group(2)
        if rel.startswith("/") or ".." in rel.split("/"):
            raise Difference("SHA256SUMS 第 %d 行：文件名 %s 不在本文件夹内" % (n, rel))
        listed[rel] = m.group(1)
    for rel, want in listed.items():
        got = hashlib.sha256(read_bytes(folder, rel)).hexdigest()
        if got != want:
            raise Difference("SHA256SUMS：文件 %s 的摘要应为 %s，实际为 %s（文件已被改动）" % (rel, want, got))
    for rel in needed:
        if rel not in listed:
            raise Difference("SHA256SUMS：未列出 %s，无法确认它就是公布的文件" % rel)
    say("1. 文件摘要：SHA256SUMS 列出的 %d 个文件逐一计算 SHA-256，全部一致" % len(listed))


# ---- step 2: the manifest (section 1) ----------------------------------------------------------

def manifest_lines(name, data):
    where = "manifest/" + name
    if data.startswith(b"\xef\xbb\xbf"):
        raise Difference("%s：不得有字节顺序标记（BOM）" % where)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Difference("%s：不是 UTF-8 文本" % where)
    if "\r" in text:
        raise Difference("%s：不得含回车符（CR），行尾只能是 LF" % where)
    if not text.endswith("\n"):
        raise Difference("%s：每一行（包括最后一行）都必须以 LF 结尾" % where)
    lines = text[:-1].split("\n")
    for i, line in enumerate(lines, 1):
        if line == "":
            raise Difference("%s 第 %d 行：不得有空行" % (where, i))
    return lines


def rows_of(name, lines, header):
    where = "manifest/" + name
    if lines[0] != header:
        raise Difference("%s 第 1 行：表头应为 %s，实际为 %s" % (where, header, lines[0]))
    width = header.count(",") + 1
    out = []
    for i, line in enumerate(lines[1:], 2):
        fields = line.split(",")
        if len(fields) != width:
            raise Difference("%s 第 %d 行：应有 %d 个字段，实际 %d 个" % (where, i, width, len(fields)))
        out.append((i, fields))
    return out


def need(ok, where, line, field, rule):
    if not ok:
        raise Difference("manifest/%s 第 %d 行：%s %s" % (where, line, field, rule))


def ascending(name, rows, key, what):
    # Every key field was checked to be an ASCII id or code, so str order is byte order.
    prev = None
    for line, fields in rows:
        kb = key(fields)
        if prev is not None and kb <= prev:
            raise Difference("manifest/%s 第 %d 行：必须按 %s 严格升序排列且不重复" % (name, line, what))
        prev = kb


def parse_manifest(folder):
    raw = {f: read_bytes(folder, "manifest/" + f) for f in MANIFEST_FILES}
    digests = {f: hashlib.sha256(raw[f]).hexdigest() for f in MANIFEST_FILES}
    manifest_digest = H("".join("%s\n%s\n" % (f, digests[f]) for f in MANIFEST_FILES))
    lines = {f: manifest_lines(f, raw[f]) for f in MANIFEST_FILES}

    params = {}
    prev = None
    for i, line in enumerate(lines["params.txt"], 1):
        k, eq, v = line.partition("=")
        need(eq == "=", "params.txt", i, line, "应为 key=value")
        need(k in ("campaign", "exclusive", "spec", "team_size"), "params.txt", i, k, "不是允许的参数名")
        need(prev is None or k > prev, "params.txt", i, k, "参数须按名称升序、各出现一次")
        prev = k
        params[k] = (i, v)
    for k in ("campaign", "exclusive", "team_size"):
        if k not in params:
            raise Difference("manifest/params.txt：缺少参数 %s" % k)
    need(CODE_RE.match(params["campaign"][1]) is not None, "params.txt", params["campaign"][0], "campaign", "须为代码 [a-z0-9][a-z0-9._-]{0,63}")
    need(params["exclusive"][1] in ("0", "1"), "params.txt", params["exclusive"][0], "exclusive", "须为 0 或 1")
    ts = params["team_size"][1]
    need(COUNT_RE.match(ts) is not None and int(ts) >= 2, "params.txt", params["team_size"][0], "team_size", "须为不小于 2、无前导零的整数")
    if "spec" in params:
        need(params["spec"][1] == SPEC_V2, "params.txt", params["spec"][0], "spec", "若出现须恰为 ssj-draw/2")
    spec = SPEC_V2 if "spec" in params else SPEC_V1

    # units.csv is the large file: one regex a line; the field-by-field checks only name a failure.
    units = []
    unit_line = re.compile(r"\A([0-9A-Za-z][0-9A-Za-z._-]{0,63}),([a-z0-9][a-z0-9._-]{0,63}),([a-z0-9][a-z0-9._-]{0,63}),(-|[a-z0-9][a-z0-9._-]{0,63}),([01])\Z")
    ulines = lines["units.csv"]
    if ulines[0] != HEADERS["units.csv"]:
        raise Difference("manifest/units.csv 第 1 行：表头应为 %s，实际为 %s" % (HEADERS["units.csv"], ulines[0]))
    prev = None
    for line, text in enumerate(ulines[1:], 2):
        m = unit_line.match(text)
        if m is None:
            fields = text.split(",")
            need(len(fields) == 5, "units.csv", line, "行", "应有 5 个字段，实际 %d 个" % len(fields))
            uid, cat, jur, tier, pos = fields
            need(ID_RE.match(uid) is not None, "units.csv", line, "unit_id", "须为编号 [0-9A-Za-z][0-9A-Za-z._-]{0,63}")
            need(CODE_RE.match(cat) is not None, "units.csv", line, "category", "须为代码")
            need(CODE_RE.match(jur) is not None, "units.csv", line, "jurisdiction", "须为代码")
            need(tier == "-" or CODE_RE.match(tier) is not None, "units.csv", line, "tier", "须为代码或 -")
            need(pos in ("0", "1"), "units.csv", line, "positive", "须为 0 或 1")
        uid, cat, jur, tier, pos = m.groups()
        # ids are ASCII, so str order is byte order
        need(prev is None or uid > prev, "units.csv", line, "unit_id", "必须按 unit_id 严格升序排列且不重复")
        prev = uid
        units.append((uid, cat, jur, tier, pos == "1"))

    inspectors = []
    irows = rows_of("inspectors.csv", lines["inspectors.csv"], HEADERS["inspectors.csv"])
    for line, (iid, dep) in irows:
        need(ID_RE.match(iid) is not None, "inspectors.csv", line, "inspector_id", "须为编号")
        need(CODE_RE.match(dep) is not None, "inspectors.csv", line, "department", "须为代码")
        inspectors.append((iid, dep))
    ascending("inspectors.csv", irows, lambda f: (f[0],), "inspector_id")

    unit_ids = set(u[0] for u in units)
    inspector_ids = set(i[0] for i in inspectors)
    conflicts = set()
    crows = rows_of("conflicts.csv", lines["conflicts.csv"], CONFLICT_HEADERS[spec])
    for line, fields in crows:
        need(ID_RE.match(fields[0]) is not None, "conflicts.csv", line, "inspector_id", "须为编号")
        need(ID_RE.match(fields[1]) is not None, "conflicts.csv", line, "unit_id", "须为编号")
        if spec == SPEC_V1:
            need(CODE_RE.match(fields[2]) is not None, "conflicts.csv", line, "reason", "须为代码")
        need(fields[0] in inspector_ids, "conflicts.csv", line, "inspector_id", "须是 inspectors.csv 中的检查人员")
        need(fields[1] in unit_ids, "conflicts.csv", line, "unit_id", "须是 units.csv 中的单位")
        conflicts.add((fields[0], fields[1]))
    ascending("conflicts.csv", crows, lambda f: (f[0], f[1]), "inspector_id、unit_id")

    departments = set(i[1] for i in inspectors)
    pools = []
    prows = rows_of("pools.csv", lines["pools.csv"], HEADERS["pools.csv"])
    for line, (pid, dep, cat, jur, tier, quota) in prows:
        need(CODE_RE.match(pid) is not None, "pools.csv", line, "pool_id", "须为代码")
        need(CODE_RE.match(dep) is not None, "pools.csv", line, "department", "须为代码")
        need(CODE_RE.match(cat) is not None, "pools.csv", line, "category", "须为代码")
        need(jur == "*" or CODE_RE.match(jur) is not None, "pools.csv", line, "jurisdiction", "须为代码或 *")
        need(tier in ("*", "-") or CODE_RE.match(tier) is not None, "pools.csv", line, "tier", "须为代码、* 或 -")
        need(COUNT_RE.match(quota) is not None, "pools.csv", line, "quota", "须为无前导零的非负整数")
        need(dep in departments, "pools.csv", line, "department", "在 inspectors.csv 中没有检查人员")
        pools.append((pid, dep, cat, jur, tier, int(quota)))
    ascending("pools.csv", prows, lambda f: (f[0],), "pool_id")

    return {
        "spec": spec, "campaign": params["campaign"][1], "exclusive": params["exclusive"][1] == "1",
        "team_size": int(ts), "units": units, "inspectors": inspectors, "conflicts": conflicts,
        "pools": pools, "digests": digests, "manifest_digest": manifest_digest,
    }


# ---- the draw (sections 2-5) -------------------------------------------------------------------

def seed_of(spec, manifest_digest, witnesses):
    parts = [spec, manifest_digest] + ["%s:%s:%s" % (w["role"], w["person_id"], w["entropy"]) for w in witnesses]
    return H("|".join(parts))


def commitment_of(manifest_digest, w):
    return H("ssj-draw/2 commit|%s|%s:%s:%s:%s" % (manifest_digest, w["role"], w["person_id"], w["salt"], w["entropy"]))


class Draw(object):
    """The manifest indexed for the draw, and the tickets (section 3) it needs."""

    def __init__(self, m, seed):
        self.m = m
        self.seed = seed
        self.team_size = m["team_size"]
        self.unit = dict((u[0], u) for u in m["units"])
        self.by_department = {}
        for iid, dep in m["inspectors"]:
            self.by_department.setdefault(dep, []).append(iid)
        self.conflicted = {}
        for iid, uid in m["conflicts"]:
            self.conflicted.setdefault(uid, set()).add(iid)
        self.by_category = {}
        for u in m["units"]:
            self.by_category.setdefault(u[1], []).append(u)

    def candidates(self, pool, taken):
        pid, dep, cat, jur, tier, quota = pool
        return [u[0] for u in self.by_category.get(cat, ())
                if (jur == "*" or u[2] == jur) and (tier == "*" or u[3] == tier) and u[0] not in taken]

    def order(self, pool_id, unit_ids):
        """Section 4 step 2: by ticket("select|pool|unit"), ties by unit id."""
        prefix = ("%s|select|%s|" % (self.seed, pool_id)).encode("utf-8")
        sha = hashlib.sha256
        keyed = [(sha(prefix + u.encode("utf-8")).hexdigest(), u) for u in unit_ids]
        keyed.sort()
        return [u for _, u in keyed]

    def eligible(self, department, unit_id):
        bad = self.conflicted.get(unit_id, ())
        return [i for i in self.by_department.get(department, ()) if i not in bad]

    def team(self, unit_id, eligible, loads, size):
        """Section 5 step 3: by load, then ticket("assign|unit|inspector"), ties by id. Only the
        lowest load groups that can fill the team are hashed (section 9)."""
        if not eligible:
            return []
        ls = [loads.get(i, 0) for i in eligible]
        cut = sorted(ls)[min(size, len(ls)) - 1]  # the highest load that can still make the team
        prefix = ("%s|assign|%s|" % (self.seed, unit_id)).encode("utf-8")
        sha = hashlib.sha256
        keyed = [(lv, sha(prefix + i.encode("utf-8")).hexdigest(), i) for lv, i in zip(ls, eligible) if lv <= cut]
        keyed.sort()
        return [i for _, _, i in keyed[:size]]


def recompute(m, seed):
    d = Draw(m, seed)
    taken = set()
    pools, assignments, loads = [], [], {}
    orders = []
    for pool in m["pools"]:
        cands = d.candidates(pool, taken if m["exclusive"] else ())
        order = d.order(pool[0], cands)
        selected = order[:min(pool[5], len(order))]
        if m["exclusive"]:
            taken.update(selected)
        orders.append(order)
        pools.append({"pool_id": pool[0], "department": pool[1], "candidates": len(cands), "quota": pool[5], "selected": selected})
    for pool, p in zip(m["pools"], pools):
        for uid in p["selected"]:
            el = d.eligible(pool[1], uid)
            if len(el) < m["team_size"]:
                raise Difference("无法重新抽取：抽取池 %s 的单位 %s 只有 %d 名可选检查人员，少于每组 %d 人" % (pool[0], uid, len(el), m["team_size"]))
            team = d.team(uid, el, loads, m["team_size"])
            for i in team:
                loads[i] = loads.get(i, 0) + 1
            assignments.append({"pool_id": pool[0], "unit_id": uid, "method": "offsite" if d.unit[uid][4] else "onsite", "inspectors": team})
    return d, pools, assignments, loads, orders


# ---- comparing -----------------------------------------------------------------------------------

def compare(path, actual, expected):
    """First difference between the record's value and the recomputed one, named by JSON path."""
    if isinstance(expected, list):
        if not isinstance(actual, list):
            raise Difference("%s：记录为 %s，重新计算为列表" % (path, shown(actual)))
        for i in range(min(len(actual), len(expected))):
            compare("%s[%d]" % (path, i), actual[i], expected[i])
        if len(actual) != len(expected):
            raise Difference("%s：记录有 %d 项，重新计算有 %d 项" % (path, len(actual), len(expected)))
        return
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            raise Difference("%s：记录为 %s，重新计算为对象" % (path, shown(actual)))
        for k in expected:
            compare("%s.%s" % (path, k) if path else k, actual.get(k), expected[k])
        for k in actual:
            if k not in expected:
                raise Difference("%s：记录中多出的字段" % ("%s.%s" % (path, k) if path else k))
        return
    if type(actual) is not type(expected) or actual != expected:
        raise Difference("%s：记录为 %s，重新计算为 %s" % (path, shown(actual), shown(expected)))


# ---- replacements (section 6) ------------------------------------------------------------------

def check_replacements(m, record, d, orders, loads, entries):
    if not isinstance(entries, list):
        raise Difference("replacements.json：应为列表")
    assignments = [dict(a, inspectors=list(a["inspectors"])) for a in record["assignments"]]
    selected_any = set(u for p in record["pools"] for u in p["selected"])
    brought_in, left = set(), {}
    pool_index = dict((p[0], i) for i, p in enumerate(m["pools"]))
    inspector_ids = set(i for i, _ in m["inspectors"])
    unit_keys = ["seq", "kind", "pool_id", "unit_id", "replacement", "reason", "approved_by", "at"]
    for n, e in enumerate(entries, 1):
        where = "replacements seq %s" % (e.get("seq") if isinstance(e, dict) else n)
        if not isinstance(e, dict):
            raise Difference("replacements[%d]：应为对象" % (n - 1))
        keys = unit_keys if e.get("kind") == "unit" else unit_keys[:4] + ["inspector_id"] + unit_keys[4:]
        if e.get("kind") not in ("unit", "inspector") or set(e) != set(keys):
            raise Difference("%s：kind 须为 unit 或 inspector，且恰有字段 %s" % (where, "、".join(keys)))
        if e["seq"] != n or type(e["seq"]) is not int:
            raise Difference("%s：第 %d 项的 seq 应为 %d" % (where, n, n))
        reason = e["reason"]
        if not isinstance(reason, str) or reason == "" or (record["spec"] == SPEC_V2 and not CODE_RE.match(reason)):
            raise Difference("%s：reason %s 须为原因代码（ssj-draw/2 不公开自由文字）" % (where, shown(reason)))
        for k in ("pool_id", "unit_id", "replacement", "approved_by") + (("inspector_id",) if e["kind"] == "inspector" else ()):
            if not isinstance(e[k], str) or not (CODE_RE if k == "pool_id" else ID_RE).match(e[k]):
                raise Difference("%s：%s 格式不对" % (where, k))
        if not isinstance(e["at"], str) or not TIME_RE.match(e["at"]):
            raise Difference("%s：at 须为带时区的 ISO 8601 时间" % where)
        place = next((i for i, a in enumerate(assignments) if a["pool_id"] == e["pool_id"] and a["unit_id"] == e["unit_id"]), None)
        if place is None:
            raise Difference("%s：单位 %s 不在抽取池 %s 的当前名单上" % (where, e["unit_id"], e["pool_id"]))
        if e["pool_id"] not in pool_index:
            raise Difference("%s：清单中没有抽取池 %s" % (where, e["pool_id"]))
        pool = m["pools"][pool_index[e["pool_id"]]]
        a = assignments[place]
        if e["kind"] == "unit":
            nxt = next((u for u in orders[pool_index[e["pool_id"]]] if u not in selected_any and u not in brought_in), None)
            if nxt is None:
                raise Difference("%s：抽取池 %s 已无可替补的单位" % (where, e["pool_id"]))
            if e["replacement"] != nxt:
                raise Difference("%s：replacement 记录为 %s，按规则应为 %s" % (where, e["replacement"], nxt))
            for i in a["inspectors"]:
                loads[i] = loads.get(i, 0) - 1
            el = d.eligible(pool[1], nxt)
            if len(el) < m["team_size"]:
                raise Difference("%s：替补单位 %s 可选检查人员不足 %d 人" % (where, nxt, m["team_size"]))
            team = d.team(nxt, el, loads, m["team_size"])
            for i in team:
                loads[i] = loads.get(i, 0) + 1
            assignments[place] = {"pool_id": pool[0], "unit_id": nxt, "method": "offsite" if d.unit[nxt][4] else "onsite", "inspectors": team}
            brought_in.add(nxt)
            say("   第 %d 项（更换单位）：%s → %s，新检查组 %s，一致" % (n, e["unit_id"], nxt, "、".join(team)))
        else:
            out = e["inspector_id"]
            if out not in a["inspectors"]:
                raise Difference("%s：检查人员 %s 不在单位 %s 的检查组中" % (where, out, e["unit_id"]))
            gone = left.setdefault(e["unit_id"], set())
            el = [i for i in d.eligible(pool[1], e["unit_id"]) if i not in a["inspectors"] and i not in gone]
            first = d.team(e["unit_id"], el, loads, 1)
            if not first:
                raise Difference("%s：单位 %s 已无可替换 %s 的检查人员" % (where, e["unit_id"], out))
            if e["replacement"] != first[0]:
                raise Difference("%s：replacement 记录为 %s，按规则应为 %s" % (where, e["replacement"], first[0]))
            if first[0] not in inspector_ids:
                raise Difference("%s：检查人员 %s 不在 inspectors.csv 中" % (where, first[0]))
            a["inspectors"][a["inspectors"].index(out)] = first[0]
            loads[out] = loads.get(out, 0) - 1
            loads[first[0]] = loads.get(first[0], 0) + 1
            gone.add(out)
            say("   第 %d 项（更换检查人员）：单位 %s 的 %s → %s，一致" % (n, e["unit_id"], out, first[0]))


# ---- the draw-time notice ------------------------------------------------------------------------

def check_notice(notice, record, ceremonies):
    def same(path, a, b):
        if a != b:
            raise Difference("draw-notice.json %s：抽取时公告为 %s，公布的记录为 %s" % (path, shown(a), shown(b)))

    if not isinstance(notice, dict) or notice.get("notice") != "ssj-draw-notice/1":
        raise Difference("draw-notice.json：不是 ssj-draw-notice/1 格式的抽取公告")
    same("spec", notice.get("spec"), record["spec"])
    same("campaign", notice.get("campaign"), record["campaign"])
    same("manifest", notice.get("manifest"), record["manifest"])
    same("manifest_digest", notice.get("manifest_digest"), record["manifest_digest"])
    ws = notice.get("witnesses")
    if not isinstance(ws, list) or len(ws) != len(record["witnesses"]):
        raise Difference("draw-notice.json witnesses：抽取时公告 %s 名见证人，记录有 %d 名" % (len(ws) if isinstance(ws, list) else "?", len(record["witnesses"])))
    for i, (a, w) in enumerate(zip(ws, record["witnesses"])):
        a = a if isinstance(a, dict) else {}
        same("witnesses[%d].role" % i, a.get("role"), w["role"])
        same("witnesses[%d].person_id" % i, a.get("person_id"), w["person_id"])
        if record["spec"] == SPEC_V2:
            same("witnesses[%d].commitment" % i, a.get("commitment"), w["commitment"])
    same("seed_sha256", notice.get("seed_sha256"), H(record["seed"]))
    voids = notice.get("void_ceremonies")
    if not isinstance(voids, list):
        raise Difference("draw-notice.json void_ceremonies：应为列表")
    published = [c for c in (ceremonies or []) if isinstance(c, dict) and c.get("outcome") == "void"]
    if len(voids) != len(published):
        raise Difference("draw-notice.json void_ceremonies：抽取时公告 %d 次作废仪式，ceremonies.json 有 %d 次" % (len(voids), len(published)))
    for i, (v, c) in enumerate(zip(voids, published)):
        v = v if isinstance(v, dict) else {}
        same("void_ceremonies[%d].number" % i, v.get("number"), c.get("number"))
        pw = [{"role": w.get("role"), "person_id": w.get("person_id"), "commitment": w.get("commitment")} for w in c.get("witnesses", [])]
        same("void_ceremonies[%d].witnesses" % i, v.get("witnesses"), pw)
        pf = [{"role": f.get("role"), "person_id": f.get("person_id")} for f in c.get("failed", [])]
        same("void_ceremonies[%d].failed" % i, v.get("failed"), pf)
        same("void_ceremonies[%d].voided_at" % i, v.get("voided_at"), c.get("voided_at"))
    return len(voids)


# ---- the published list (results.csv) -----------------------------------------------------------

# The columns the record decides; the others (名称, 地址, 检查部门, results) are not in the record.
RESULTS_COLUMNS = ["统一社会信用代码", "抽取池", "抽取情况", "检查方式", "序号"]


def list_rows(m, record, entries):
    """The list as the publication derives it from the record: the record's walk order, each
    replaced unit followed at once by the unit that replaced it (DRAW-SPEC section 6)."""
    first = {}
    for e in sorted(entries, key=lambda e: e["seq"]):
        if e["kind"] == "unit":
            first.setdefault((e["pool_id"], e["unit_id"]), e)
    positive = dict((u[0], u[4]) for u in m["units"])
    rows = []
    for a in record["assignments"]:
        pool, unit, status = a["pool_id"], a["unit_id"], ("drawn", 0)
        while True:
            e = first.get((pool, unit))
            rows.append({"unit": unit, "pool": pool, "status": ("replaced", e["seq"]) if e else status,
                         "method": "非现场检查" if positive.get(unit) else "现场检查"})
            if e is None:
                break
            unit, status = e["replacement"], ("brought-in", e["seq"])
    return rows


def status_matches(cell, status):
    """抽取情况: 随机抽取, or 已替换（第N号替换… / 替补抽取（第N号替换… (the rest names units by name)."""
    kind, seq = status
    if kind == "drawn":
        return cell == "随机抽取", "随机抽取"
    head = ("已替换（第%d号替换" if kind == "replaced" else "替补抽取（第%d号替换") % seq
    return cell.startswith(head), head + "…）"


def read_results(folder):
    """results.csv as the publication writes it: UTF-8 with a BOM, CRLF, RFC 4180 quoting."""
    data = read_bytes(folder, "results.csv")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Difference("results.csv：不是 UTF-8 文本")
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as e:
        raise Difference("results.csv：不是有效的 CSV（%s）" % e)


def check_results(folder, rows):
    """Every row of results.csv against the list derived from the record; rows are named as a
    spreadsheet numbers them (the header is row 1)."""
    table = read_results(folder)
    header = table[0] if table else []
    col = {}
    for name in RESULTS_COLUMNS:
        if name not in header:
            raise Difference("results.csv 第 1 行：缺少“%s”列" % name)
        col[name] = header.index(name)
    body = table[1:]
    for i, want in enumerate(rows):
        line = i + 2
        if i >= len(body):
            raise Difference("results.csv 第 %d 行：缺少这一行，按抽取记录应为单位 %s（抽取池 %s）；公示名单有 %d 行，应有 %d 行"
                             % (line, want["unit"], want["pool"], len(body), len(rows)))
        got = body[i]
        for name in RESULTS_COLUMNS:
            cell = got[col[name]] if col[name] < len(got) else ""
            if name == "抽取情况":
                ok, expected = status_matches(cell, want["status"])
            else:
                expected = {"统一社会信用代码": want["unit"], "抽取池": want["pool"], "检查方式": want["method"], "序号": str(i + 1)}[name]
                ok = cell == expected
            if not ok:
                raise Difference("results.csv 第 %d 行 %s：公示为 %s，按抽取记录及替补记录应为 %s" % (line, name, cell or "（空）", expected))
    if len(body) > len(rows):
        extra = body[len(rows)]
        unit = extra[col["统一社会信用代码"]] if col["统一社会信用代码"] < len(extra) else ""
        raise Difference("results.csv 第 %d 行：多出的一行（单位 %s），按抽取记录及替补记录名单只有 %d 行" % (len(rows) + 2, unit or "（空）", len(rows)))
    name = header.index("单位名称") if "单位名称" in header else None
    return [(r[col["序号"]], r[col["统一社会信用代码"]], r[name] if name is not None and name < len(r) else None) for r in body]


# One row of the 公示 page's results table: 序号, 单位名称, 统一社会信用代码 (files/publication/page.ts).
PAGE_ROW = re.compile(r'<tr(?: class="replaced")?>\s*<td class="num">(\d+)</td><td>([^<]*)</td><td class="code">([^<]*)</td>')


def check_page(folder, csv_rows):
    """The 公示 page (index.html) lists the same rows as results.csv: number, id and unit name.
    Names are not in the record; this only shows the page and the CSV say the same."""
    try:
        text = read_bytes(folder, "index.html").decode("utf-8")
    except UnicodeDecodeError:
        raise Difference("index.html：不是 UTF-8 文本")
    page = [(no, html.unescape(name), html.unescape(uid)) for no, name, uid in PAGE_ROW.findall(text)]
    for i, (want, got) in enumerate(zip(csv_rows, page)):
        no, uid, name = want
        # results.csv marks a name a spreadsheet would run as a formula with a leading '
        if name is not None and name.startswith("'") and re.match(r"[=+\-@\t\r]", name[1:2]):
            name = name[1:]
        for field, a, b in (("序号", got[0], no), ("统一社会信用代码", got[2], uid), ("单位名称", got[1], name)):
            if b is not None and a != b:
                raise Difference("index.html 公示名单第 %d 行 %s：公示页为 %s，results.csv 为 %s" % (i + 1, field, a, b))
    if len(page) != len(csv_rows):
        raise Difference("index.html：公示页名单有 %d 行，results.csv 有 %d 行" % (len(page), len(csv_rows)))
    return len(page)


# ---- the whole check -----------------------------------------------------------------------------

def verify(folder):
    """Raises Difference at the first one; returns the warning lines to print beside `verified`."""
    has = lambda rel: os.path.isfile(os.path.join(folder, *rel.split("/")))
    needed = ["manifest/" + f for f in MANIFEST_FILES] + ["draw-record.json", "replacements.json"]
    needed += ["results.csv"] + [f for f in ("ceremonies.json", "draw-notice.json", "index.html") if has(f)]
    check_sums(folder, needed)

    record = read_json(folder, "draw-record.json")
    entries = read_json(folder, "replacements.json")
    if not isinstance(record, dict):
        raise Difference("draw-record.json：应为 JSON 对象")
    spec = record.get("spec")
    if spec not in (SPEC_V1, SPEC_V2):
        raise Difference("spec：记录为 %s，本程序核验 ssj-draw/1 和 ssj-draw/2" % shown(spec))
    m = parse_manifest(folder)
    if m["spec"] != spec:
        raise Difference("spec：记录为 %s，清单（params.txt）为 %s" % (spec, m["spec"]))
    manifest = record.get("manifest") if isinstance(record.get("manifest"), dict) else {}
    for f in MANIFEST_FILES:
        if manifest.get(f) != m["digests"][f]:
            raise Difference('manifest["%s"]：记录为 %s，清单文件的 SHA-256 为 %s' % (f, shown(manifest.get(f)), m["digests"][f]))
    if record.get("manifest_digest") != m["manifest_digest"]:
        raise Difference("manifest_digest：记录为 %s，重新计算为 %s" % (shown(record.get("manifest_digest")), m["manifest_digest"]))
    say("2. 清单摘要：%s（%s），单位 %d 家、检查人员 %d 名、回避 %d 条、抽取池 %d 个；五个文件摘要与 manifest_digest %s 一致"
        % (m["campaign"], spec, len(m["units"]), len(m["inspectors"]), len(m["conflicts"]), len(m["pools"]), m["manifest_digest"]))

    ws = record.get("witnesses")
    wkeys = ["role", "person_id", "entropy"] if spec == SPEC_V1 else ["role", "person_id", "commitment", "salt", "entropy"]
    if not isinstance(ws, list) or len(ws) < 2:
        raise Difference("witnesses：至少需要两名见证人")
    for i, w in enumerate(ws):
        if not isinstance(w, dict) or list(sorted(w)) != sorted(wkeys):
            raise Difference("witnesses[%d]：应恰有字段 %s" % (i, "、".join(wkeys)))
        checks = [("role", CODE_RE), ("person_id", ID_RE), ("entropy", ENTROPY_RE)] + ([("salt", SALT_RE), ("commitment", HEX64_RE)] if spec == SPEC_V2 else [])
        for k, rx in checks:
            if not isinstance(w[k], str) or not rx.match(w[k]):
                raise Difference("witnesses[%d].%s：格式不对" % (i, k))
    roles = [w["role"] for w in ws]
    if roles != sorted(set(roles)) or len(set(w["person_id"] for w in ws)) != len(ws):
        raise Difference("witnesses：见证人须按角色排序，角色和人员各不相同")
    if spec == SPEC_V2:
        for i, w in enumerate(ws):
            c = commitment_of(m["manifest_digest"], w)
            if c != w["commitment"]:
                raise Difference("witnesses[%d].commitment：记录为 %s，由角色、人员编号、盐值和随机数重新计算为 %s" % (i, w["commitment"], c))
        say("3. 承诺值：%d 名见证人（%s）的承诺值由其盐值和随机数重新计算，全部一致" % (len(ws), "、".join(roles)))
    else:
        say("3. 承诺值：ssj-draw/1 记录没有承诺值（见证人直接给出随机数），跳过")

    seed = seed_of(spec, m["manifest_digest"], ws)
    if record.get("seed") != seed:
        raise Difference("seed：记录为 %s，重新计算为 %s" % (shown(record.get("seed")), seed))
    say("4. 随机种子：%s 一致；其 SHA-256（抽取时公布的种子承诺）为 %s" % (seed, H(seed)))

    d, pools, assignments, loads, orders = recompute(m, seed)
    expected = {
        "spec": spec, "campaign": m["campaign"], "manifest": dict((f, m["digests"][f]) for f in MANIFEST_FILES),
        "manifest_digest": m["manifest_digest"], "witnesses": ws, "seed": seed, "team_size": m["team_size"],
        "exclusive": m["exclusive"], "pools": pools, "assignments": assignments,
    }
    for k in ("spec", "campaign", "manifest", "manifest_digest", "witnesses", "seed", "team_size", "exclusive"):
        compare(k, record.get(k), expected[k])
    # Pools first, then assignments: the record's key order, so the first difference is the one ssj verify names.
    rec_pools, rec_asg = record.get("pools"), record.get("assignments")
    compare("pools", rec_pools, pools)
    compare("assignments", rec_asg, assignments)
    for k in record:
        if k not in expected:
            raise Difference("%s：记录中多出的字段" % k)
    say("5. 重新抽取：")
    teams = {}
    for a in assignments:
        teams[a["pool_id"]] = teams.get(a["pool_id"], 0) + 1
    for p in pools:
        say("   抽取池 %s：候选 %d，抽取 %d，检查组 %d 个，一致" % (p["pool_id"], p["candidates"], len(p["selected"]), teams.get(p["pool_id"], 0)))
    say("   共抽取 %d 家单位，全部检查组一致" % len(assignments))

    say("6. 替补记录：%d 项，按 seq 顺序逐项按规则重算" % (len(entries) if isinstance(entries, list) else 0))
    check_replacements(m, record, d, orders, loads, entries)

    ceremonies = read_json(folder, "ceremonies.json") if has("ceremonies.json") else []
    if has("draw-notice.json"):
        n = check_notice(read_json(folder, "draw-notice.json"), record, ceremonies)
        say("7. 抽取时公告：draw-notice.json 的清单摘要、见证人%s、种子的 SHA-256 与记录一致；作废仪式 %d 次，与 ceremonies.json 一致"
            % ("及承诺值" if spec == SPEC_V2 else "", n))
    else:
        say("7. 抽取时公告：！！本文件夹没有 draw-notice.json，未能与抽取时公告核对（见最后的注意）")

    rows = list_rows(m, record, entries)
    csv_rows = check_results(folder, rows)
    say("8. 公示名单：results.csv 共 %d 行，逐行的序号、统一社会信用代码、抽取池、检查方式、抽取情况与抽取记录及替补记录一致"
        "（随机抽取 %d 行，已替换 %d 行，替补抽取 %d 行）"
        % (len(rows), sum(r["status"][0] == "drawn" for r in rows), sum(r["status"][0] == "replaced" for r in rows), sum(r["status"][0] == "brought-in" for r in rows)))
    if has("index.html"):
        say("   公示页 index.html 的名单 %d 行，逐行的序号、统一社会信用代码、单位名称与 results.csv 一致" % check_page(folder, csv_rows))
    else:
        say("   本文件夹没有公示页 index.html，未核对")
    say("   说明：抽取记录只有单位编号，没有名称，单位名称、地址和检查结果无法与记录核对（只核对了公示页与 results.csv 所列相同）；")
    say("   results.xlsx 只核对了文件摘要，未逐行核对，请对照其中的统一社会信用代码与 results.csv 是否一致。")
    # Quarters drawn before notices existed have none, so its absence is not a failure; but only the
    # notice proves the record is the draw announced at the time (no re-roll): the reader must
    # compare by hand, so the warning is repeated next to the verdict.
    if not has("draw-notice.json"):
        return notice_warning(record)
    return []


def notice_warning(record):
    return [
        "！！注意：本文件夹没有抽取时公告（draw-notice.json），本程序无法确认公布的记录就是抽取当时公告的那一次抽取。",
        "！！请找到抽取当时公布的抽取公告，核对其中的种子承诺值（随机种子的 SHA-256）是否为",
        "！！  %s" % H(record["seed"]),
        "！！以及清单摘要是否为 %s；不一致即说明抽取被重做过。" % record["manifest_digest"],
    ]


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        say("用法：python3 verify.py [公示文件夹]")
        return 2
    if len(argv) == 2:
        folder = argv[1]
    elif os.path.isfile("draw-record.json"):
        folder = "."
    else:
        folder = os.path.dirname(os.path.abspath(__file__))
    say("核验文件夹：%s" % os.path.abspath(folder))
    try:
        warnings = verify(folder)
    except Difference as e:
        say("NOT verified: %s" % e)
        return 1
    except Unreadable as e:
        say("NOT verified: %s" % e)
        return 2
    for line in warnings:
        say(line)
    say("verified")
    return 0


if __name__ == "__main__":
    try:
        sys.stdout.reconfigure(encoding="utf-8")
    except AttributeError:
        pass
    sys.exit(main(sys.argv))
