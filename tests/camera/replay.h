/*
 * replay.h: mimamori-testcam --replay, a camera server of our own.
 *
 * One thread and one epoll loop serve any number of RTSP clients (RTP over the RTSP connection,
 * interleaved) the packets of one file, split once at start (rtpfile.h): each client from the
 * file's first keyframe at its PLAY, paced by the access units' decoding times, all packets due
 * for a client written with one writev; an RTCP sender report every 5 s; the file looped with
 * --loop (sequence numbers and timestamps keep increasing), else an RTCP BYE at its end.
 * With --shared-clock (looped) each stream runs from the server's start instead, and a client
 * joins it at its next keyframe.
 */
#ifndef TC_REPLAY_H
#define TC_REPLAY_H

/* argv as mimamori-testcam's (--replay FILE among them); returns the exit status. */
int tc_replay_main(int argc, char **argv);

#endif
