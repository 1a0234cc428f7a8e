#!/usr/bin/env python3
"""Pack layers into a docker-archive tarball that `ctr images import` loads.

    mkimage.py --ref docker.io/library/busybox:1.37 --out busybox.tar \
        --layer ROOTFS_DIR_OR_TAR [--layer ...] [--entrypoint JSON] [--cmd JSON] \
        [--env K=V ...] [--user U] [--workdir D]

A layer given as a directory is packed with numeric owners as they are on disk (the
caller builds it as root); a layer given as a tar file is used as it is. No registry
is involved: the images of the e2e suite are built from Debian's packages.
"""

import argparse
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def pack_dir(src, dst):
    # Sorted, fixed mtime: the same tree gives the same layer digest.
    with tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as tar:
        for root, dirs, files in os.walk(src):
            dirs.sort()
            for name in sorted(dirs + files):
                full = os.path.join(root, name)
                info = tar.gettarinfo(full, arcname=os.path.relpath(full, src))
                info.mtime = 0
                info.uname = info.gname = ""
                if info.isfile():
                    with open(full, "rb") as f:
                        tar.addfile(info, f)
                else:
                    tar.addfile(info)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ref", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--layer", action="append", required=True)
    p.add_argument("--entrypoint")
    p.add_argument("--cmd")
    p.add_argument("--env", action="append", default=[])
    p.add_argument("--user")
    p.add_argument("--workdir")
    a = p.parse_args()

    work = tempfile.mkdtemp(dir=os.path.dirname(os.path.abspath(a.out)))
    try:
        layers, diff_ids = [], []
        for i, src in enumerate(a.layer):
            tmp = os.path.join(work, f"layer{i}.tar")
            if os.path.isdir(src):
                pack_dir(src, tmp)
            else:
                shutil.copyfile(src, tmp)
            digest = sha256_file(tmp)
            os.makedirs(os.path.join(work, digest), exist_ok=True)
            os.rename(tmp, os.path.join(work, digest, "layer.tar"))
            layers.append(f"{digest}/layer.tar")
            diff_ids.append(f"sha256:{digest}")
        env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] + a.env
        config = {"Env": env}
        if a.entrypoint:
            config["Entrypoint"] = json.loads(a.entrypoint)
        if a.cmd:
            config["Cmd"] = json.loads(a.cmd)
        if a.user:
            config["User"] = a.user
        if a.workdir:
            config["WorkingDir"] = a.workdir
        image = {
            "architecture": "amd64",
            "os": "linux",
            "created": "1970-01-01T00:00:00Z",
            "config": config,
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        }
        blob = json.dumps(image, sort_keys=True).encode()
        config_name = hashlib.sha256(blob).hexdigest() + ".json"
        with open(os.path.join(work, config_name), "wb") as f:
            f.write(blob)
        manifest = [{"Config": config_name, "RepoTags": [a.ref], "Layers": layers}]
        with open(os.path.join(work, "manifest.json"), "w") as f:
            json.dump(manifest, f)
        tmp_out = a.out + ".part"
        with tarfile.open(tmp_out, "w") as tar:
            for name in ["manifest.json", config_name] + layers:
                tar.add(os.path.join(work, name), arcname=name)
        os.rename(tmp_out, a.out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
