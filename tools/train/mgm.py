"""Writer and reader of melgenre model files (.mgm), format version 1 (models/FORMAT.md).

The writer is the Python twin of melgenre::save_model; the reader re-parses a file for self-checks
(header sizes, CRC, tensor bounds) so an export can be verified before it ships.
"""
import struct
import zlib

import numpy as np

MAGIC = b"MELGENRE"
VERSION = 1
HEADER_SIZE = 64
ALIGN = 64

_DTYPES = {"f32": np.dtype("<f4"), "i8": np.dtype("i1"), "i32": np.dtype("<i4")}


def fmt_float(x):
    """%.9g so a float32 round-trips exactly."""
    return "%.9g" % float(np.float32(x))


def _align(n):
    return (n + ALIGN - 1) // ALIGN * ALIGN


class ModelWriter:
    """Collects tensors and network blocks, then serialises them in one pass."""

    def __init__(self, name, labels):
        self.name = name
        self.labels = list(labels)
        self.tensors = []  # (name, dtype, array)
        self.networks = []  # list of meta lines per network
        self.info = []

    def add_tensor(self, name, dtype, array):
        if any(t[0] == name for t in self.tensors):
            raise ValueError("duplicate tensor " + name)
        arr = np.ascontiguousarray(np.asarray(array), dtype=_DTYPES[dtype])
        if dtype == "f32" and not np.all(np.isfinite(arr)):
            raise ValueError("tensor %s holds non-finite values" % name)
        self.tensors.append((name, dtype, arr))
        return name

    def add_network(self, lines):
        """lines: the meta lines from `network ...` up to (not including) `end`."""
        self.networks.append(list(lines))

    def add_info(self, text):
        self.info.append(text)

    def to_bytes(self):
        offsets = []
        pos = 0
        for _, _, arr in self.tensors:
            pos = _align(pos)
            offsets.append(pos)
            pos += arr.nbytes
        data_size = pos
        meta = ["melgenre-model 1", "name " + self.name,
                "labels %d %s" % (len(self.labels), " ".join(self.labels))]
        for line in self.info:
            meta.append("info " + line)
        for (name, dtype, arr), off in zip(self.tensors, offsets):
            shape = ",".join(str(d) for d in arr.shape) if arr.ndim else "1"
            meta.append("tensor %s dtype=%s shape=%s offset=%d" % (name, dtype, shape, off))
        meta.append("networks %d" % len(self.networks))
        for block in self.networks:
            meta.extend(block)
            meta.append("end")
        meta_bytes = ("\n".join(meta) + "\n").encode("utf-8")
        data_offset = _align(HEADER_SIZE + len(meta_bytes))
        file_size = data_offset + data_size
        body = bytearray(file_size - HEADER_SIZE)
        body[0:len(meta_bytes)] = meta_bytes
        for (_, _, arr), off in zip(self.tensors, offsets):
            start = data_offset - HEADER_SIZE + off
            body[start:start + arr.nbytes] = arr.tobytes()
        crc = zlib.crc32(bytes(body)) & 0xFFFFFFFF
        header = MAGIC + struct.pack("<IIQQQQQII", VERSION, HEADER_SIZE, file_size, HEADER_SIZE,
                                     len(meta_bytes), data_offset, data_size, crc, 0)
        assert len(header) == HEADER_SIZE
        return bytes(header) + bytes(body)

    def write(self, path):
        blob = self.to_bytes()
        with open(path, "wb") as f:
            f.write(blob)
        read_model(path)  # self-check
        return len(blob)


def read_model(path_or_bytes):
    """Parses a .mgm file: returns dict(meta_lines, tensors{name: ndarray}, labels, networks).
    Raises ValueError with a reason on any inconsistency the writer could have produced."""
    if isinstance(path_or_bytes, (bytes, bytearray)):
        blob = bytes(path_or_bytes)
    else:
        with open(path_or_bytes, "rb") as f:
            blob = f.read()
    if len(blob) < HEADER_SIZE or blob[:8] != MAGIC:
        raise ValueError("not a melgenre model")
    version, hsize, fsize, moff, msize, doff, dsize, crc, reserved = struct.unpack(
        "<IIQQQQQII", blob[8:64])
    if version != VERSION:
        raise ValueError("model format version %d, this reader reads 1" % version)
    if hsize != HEADER_SIZE or fsize != len(blob) or moff != HEADER_SIZE or msize == 0 \
            or moff + msize > doff or doff % ALIGN or doff + dsize != fsize or reserved:
        raise ValueError("header sizes do not match the file")
    if zlib.crc32(blob[HEADER_SIZE:]) & 0xFFFFFFFF != crc:
        raise ValueError("model file is corrupt (CRC)")
    if any(blob[moff + msize:doff]):
        raise ValueError("non-zero padding after meta")
    lines = blob[moff:moff + msize].decode("utf-8").split("\n")
    tensors, labels, networks = {}, [], []
    spans = []
    for line in lines:
        tok = line.split()
        if not tok or tok[0].startswith("#"):
            continue
        if tok[0] == "labels":
            labels = tok[2:]
            if int(tok[1]) != len(labels):
                raise ValueError("label count mismatch")
        elif tok[0] == "tensor":
            kv = dict(t.split("=", 1) for t in tok[2:])
            dt = _DTYPES[kv["dtype"]]
            shape = tuple(int(d) for d in kv["shape"].split(","))
            off = int(kv["offset"])
            n = int(np.prod(shape)) * dt.itemsize
            if off % ALIGN or off + n > dsize:
                raise ValueError("tensor %s out of bounds" % tok[1])
            spans.append((off, off + n))
            tensors[tok[1]] = np.frombuffer(blob, dtype=dt, count=int(np.prod(shape)),
                                            offset=doff + off).reshape(shape)
        elif tok[0] == "network":
            networks.append({"name": tok[1], "lines": []})
        elif networks and tok[0] != "end" and tok[0] not in ("networks",):
            networks[-1]["lines"].append(tok)
    spans.sort()
    for a, b in zip(spans, spans[1:]):
        if b[0] < a[1]:
            raise ValueError("tensors overlap")
    return {"meta_lines": lines, "tensors": tensors, "labels": labels, "networks": networks,
            "size": len(blob)}


if __name__ == "__main__":
    import sys
    for p in sys.argv[1:]:
        m = read_model(p)
        print("%s: %d bytes, %d tensors, networks %s" % (p, m["size"], len(m["tensors"]),
                                                         [n["name"] for n in m["networks"]]))
