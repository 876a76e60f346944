"""Disks whose power can be cut: ext4 on loop devices, and exact images of them.

A test puts a node's datadir on an ext4 file system of its own (a file on
a loop device), lets it work, and takes a snapshot of that file: what the
disk holds at that instant, without what the kernel still keeps in the page
cache of the mounted file system (dirty pages not yet written, in whatever
order writeback would have written them). A node started on the snapshot,
mounted on a second loop device, finds what it would find after an OS crash
or a power cut at that instant.

Why the snapshot equals the disk. The "disk" of the mounted ext4 is its loop
device, and the loop device's contents are its backing file: every write the
loop device completes (each one a write into the backing file) is in that
file, whether or not it has reached physical storage. Reading the backing
file therefore reads exactly what the disk acknowledged; the mounted file
system's own page cache, which is what a crash loses, is not in it. (Neither
`losetup --direct-io=on` nor an fsync of the backing file would change what
is read: a read of the backing file goes through the host's page cache,
which is where the loop device's buffered writes land, so it already sees
every completed write; syncing only moves those bytes to the host's disk,
which is not the simulated one.) But a
plain copy (cp, or a read of the loop device) takes seconds while the loop
device keeps writing: its first blocks would come from one instant and its
last from a later one, and a later block (an LMDB meta page, a journal
commit record) could then point at an earlier block's old contents, a state
that no crash produces. So the copy is a reflink clone (FICLONE, `cp
--reflink=always`): the backing file lives on an XFS file system made for the
test, and XFS clones a file while holding the file's I/O lock, which each of
the loop device's writes into it takes too. The clone is the file between
two writes: a point-in-time image of the disk, in one system call.

Layout: a sparse file on tmpfs (/dev/shm when it is tmpfs, else the test's
directory) holds the XFS; the XFS holds the ext4 images and their clones.
On tmpfs the host's flushes cost nothing, so a node's fdatasync costs what
the simulated disk's flush costs, not what the machine's real disk does.

Needs root, loop devices (/dev/loop-control), losetup, mount, mkfs.ext4 and
mkfs.xfs (Debian: mount, e2fsprogs, xfsprogs). unavailable() says why not.
Every mount and loop device is undone by cleanup(), which a test calls in a
finally block; it also undoes what an earlier failed step left behind. A
run killed outright (the runner's time limit is SIGKILL) cannot clean up:
the next run's setup() undoes what a dead process's run left in /dev/shm.
"""

import glob
import os
import shutil
import subprocess
import tempfile
import time

TOOLS = ("losetup", "mount", "umount", "mkfs.ext4", "mkfs.xfs", "cp")
# XFS refuses file systems under 300 MiB; the file is sparse.
XFS_BYTES = 512 << 20


def unavailable():
    """None when the disks can be made here, else one line saying why not."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root (losetup and mount); CI runs as root"
    if not os.path.exists("/dev/loop-control"):
        return "no loop devices here (/dev/loop-control is missing)"
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        return "missing tools: %s (Debian: mount, e2fsprogs, xfsprogs)" % ", ".join(missing)
    return None


def _run(argv, timeout=120):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    if r.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (" ".join(argv), r.returncode,
                                                     r.stdout.decode("utf8", "replace").strip()))
    return r.stdout.decode("utf8", "replace").strip()


def _is_tmpfs(path):
    try:
        with open("/proc/mounts", encoding="utf8") as f:
            return any(line.split()[1] == path and line.split()[2] == "tmpfs" for line in f)
    except OSError:
        return False


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def reap_stale(log):
    """Unmounts and detaches what runs killed with SIGKILL left (their pid is in the name)."""
    for root in glob.glob("/dev/shm/powerloss_*_*"):
        try:
            pid = int(os.path.basename(root).split("_")[1])
        except ValueError:
            continue
        if _pid_alive(pid):
            continue
        out = subprocess.run(["losetup", "--list", "--noheadings", "-O", "NAME,BACK-FILE"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode("utf8", "replace")
        loops = [line.split(None, 1) for line in out.splitlines() if len(line.split(None, 1)) == 2]
        # The ext4 disks (files in the XFS) before the XFS itself.
        ours = [(dev, back.strip()) for dev, back in loops if back.strip().startswith(root + "/")]
        ours.sort(key=lambda d: not d[1].startswith(os.path.join(root, "xfs") + "/"))
        with open("/proc/mounts", encoding="utf8") as f:
            mounts = [line.split()[:2] for line in f]
        for dev, back in ours:
            for mdev, mnt in mounts:
                if mdev == dev:
                    log.warning("unmounting %s (%s), left by a killed run (pid %d)", mnt, back, pid)
                    if subprocess.run(["umount", mnt], stderr=subprocess.DEVNULL).returncode != 0:
                        subprocess.run(["umount", "-l", mnt], stderr=subprocess.DEVNULL)
            subprocess.run(["losetup", "-d", dev], stderr=subprocess.DEVNULL)
        shutil.rmtree(root, ignore_errors=True)


class PowerLossDisks:
    def __init__(self, workdir, log):
        self.log = log
        base = "/dev/shm" if _is_tmpfs("/dev/shm") and os.access("/dev/shm", os.W_OK) else workdir
        if base == "/dev/shm":
            reap_stale(log)
        self.root = tempfile.mkdtemp(prefix="powerloss_%d_" % os.getpid(), dir=base)
        self.xfs_mnt = os.path.join(self.root, "xfs")
        # (mountpoint, loop device) in the order mounted; undone in reverse.
        self.mounts = []
        self.loops = []

    # --- set-up and tear-down ----------------------------------------------

    def setup(self):
        img = os.path.join(self.root, "xfs.img")
        with open(img, "wb") as f:
            f.truncate(XFS_BYTES)
        # reflink=1 is mkfs.xfs's default since xfsprogs 5.1; say it anyway.
        _run(["mkfs.xfs", "-q", "-m", "reflink=1", img])
        os.makedirs(self.xfs_mnt)
        self.mount(img, self.xfs_mnt)

    def _attach(self, image):
        dev = None
        # Another process may take the free device first: losetup -f retries
        # that itself, but a race can still fail once.
        for _ in range(5):
            try:
                dev = _run(["losetup", "-f", "--show", image])
                break
            except AssertionError:
                time.sleep(0.2)
        if dev is None:
            dev = _run(["losetup", "-f", "--show", image])
        self.loops.append(dev)
        return dev

    def _detach(self, dev):
        _run(["losetup", "-d", dev])
        self.loops.remove(dev)

    def mount(self, image, mountpoint):
        dev = self._attach(image)
        try:
            _run(["mount", dev, mountpoint])
        except BaseException:
            self._detach(dev)
            raise
        self.mounts.append((mountpoint, dev))

    def unmount(self, mountpoint):
        """Unmounts (retrying while a just-killed process lets go) and frees the loop device."""
        for i, (mnt, dev) in enumerate(self.mounts):
            if mnt == mountpoint:
                break
        else:
            raise AssertionError("%s is not mounted by this test" % mountpoint)
        deadline = time.monotonic() + 30
        while True:
            r = subprocess.run(["umount", mountpoint], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if r.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise AssertionError("umount %s: %s" % (mountpoint, r.stdout.decode("utf8", "replace").strip()))
            time.sleep(0.1)
        del self.mounts[i]
        self._detach(dev)

    def cleanup(self):
        """Undoes every mount and loop device, newest first; never raises."""
        for mnt, dev in reversed(list(self.mounts)):
            for argv in (["umount", mnt], ["umount", "-l", mnt]):
                if subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
                    break
            else:
                self.log.error("could not unmount %s", mnt)
            self.mounts.remove((mnt, dev))
        for dev in list(self.loops):
            # After a lazy unmount the device is still busy: losetup -d then
            # marks it to be freed when the file system lets go.
            if subprocess.run(["losetup", "-d", dev], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode != 0:
                self.log.error("could not detach %s", dev)
            self.loops.remove(dev)
        shutil.rmtree(self.root, ignore_errors=True)

    # --- disks -------------------------------------------------------------

    def new_ext4(self, name, size=128 << 20):
        """A new ext4 image in the XFS (4 KiB blocks as on a real disk; inode
        tables written now, so that no lazy initialisation writes later)."""
        img = os.path.join(self.xfs_mnt, name)
        with open(img, "wb") as f:
            f.truncate(size)
        _run(["mkfs.ext4", "-q", "-F", "-b", "4096", "-E", "lazy_itable_init=0,lazy_journal_init=0", img])
        return img

    def snapshot(self, image, name):
        """A point-in-time image of the disk (see the module's comment)."""
        dst = os.path.join(self.xfs_mnt, name)
        _run(["cp", "--reflink=always", image, dst])
        return dst

    def remove(self, image):
        os.remove(image)

    @staticmethod
    def syncfs(path):
        """Makes what was written under path durable (set-up before the cut)."""
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            _run(["sync", "-f", path])
        finally:
            os.close(fd)
