/*
 * nosync: an LD_PRELOAD library that makes fsync and fdatasync return at once, for
 * bench_writer.py only. Running bench_writer under it separates the cost of the writer's own
 * work (copying, AES-GCM, SHA-256) from the cost of making every chunk durable, which ffmpeg
 * does not pay. Never for anything that records footage.
 */
int fsync(int fd);
int fdatasync(int fd);

int fsync(int fd)
{
    (void)fd;
    return 0;
}

int fdatasync(int fd)
{
    (void)fd;
    return 0;
}
