"""The notes function's package, which links the AWS client: a fully static bootstrap with no
glibc NSS code at all (no name lookup can reach it: names go through the client's own
resolver), within the size bar of a package with the client."""

import os
import subprocess
import unittest
import zipfile

BOOTSTRAP = os.environ["NOTES_BOOTSTRAP"]
FUNCTION_ZIP = os.environ["NOTES_FUNCTION_ZIP"]
MAX_ZIP_BYTES = 1536 * 1024  # 1.5 MB with the AWS client


class NotesPackage(unittest.TestCase):
    def readelf(self, *flags):
        return subprocess.run(["readelf", *flags, BOOTSTRAP], capture_output=True, text=True,
                              check=True).stdout

    def test_is_static(self):
        # No program interpreter and no shared library: readelf comes with the toolchain, where
        # file(1) is not installed on a minimal Debian (CodeBuild's debian:bookworm).
        self.assertNotIn("INTERP", self.readelf("--program-headers"))
        self.assertNotIn("(NEEDED)", self.readelf("--dynamic"))

    def test_contains_no_nss_code(self):
        text = subprocess.run(["strings", BOOTSTRAP], capture_output=True, text=True,
                              check=True).stdout
        found = [line for line in text.splitlines()
                 if "nsswitch.conf" in line or "libnss_" in line]
        self.assertEqual(found, [])

    def test_is_within_the_size_bar_with_the_client(self):
        size = os.path.getsize(FUNCTION_ZIP)
        self.assertLessEqual(size, MAX_ZIP_BYTES, f"function.zip is {size} bytes")
        with zipfile.ZipFile(FUNCTION_ZIP) as archive:
            self.assertEqual(archive.namelist(), ["bootstrap"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
