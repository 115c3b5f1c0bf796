/*
 * timeline.js: the console's playback view (#/timeline) — per camera a strip of one day in the
 * site's zone, or of a part of it (6 h, 1 h, 10 min around the playhead, moved with the arrows)
 * (GET /api/timeline/{camera}?day=: recorded, gaps with their cause, holds, erased),
 * and footage played in the browser from a time clicked or dragged to on a strip (GET
 * /api/playback/{camera}: fragmented MP4, paced by the edge, played with Media Source Extensions).
 *
 * R-N7.3, viewing is looking, not copying: there is no download button and no export path; the
 * video element has no controls of its own (so no download menu), no picture-in-picture, no
 * context menu; the viewer's name and the footage's time are drawn over the video as an element
 * of the page, not burned into it. Each playback is decided and logged by the edge with the
 * purpose chosen here.
 *
 * The stream: ftyp and moov, then for each frame a time box (uuid "mimamori-footage": the frame's
 * recording time and its decode time in the stream, footage.h) and a fragment (moof, mdat). The
 * time boxes are kept to tell the footage's time of any moment (gaps are shortened in the
 * stream) and are not given to the SourceBuffer. Several cameras play side by side from the same
 * time; together they run at most 8 times real time (the edge refuses more), so a speed is
 * offered only when it fits.
 */
'use strict';
(function() {
const {t, h, clear, api, fmtUs} = window.mm;
const S = 1000000;
const MAX_CAMS = 4;
const HZ = 90000;

let state = null; /* the view's: cameras, day, strips, players */

/* --- the day ------------------------------------------------------------------------------ */

function today()
{
    const f = new Intl.DateTimeFormat('en-CA', {
        timeZone : window.mmConsole.session().timezone || 'Asia/Tokyo',
        year : 'numeric',
        month : '2-digit',
        day : '2-digit'
    });
    return f.format(new Date());
}

function hhmm(us)
{
    return fmtUs(us).slice(11, 16);
}

function hms(us)
{
    return fmtUs(us).slice(11, 19);
}

/* --- the strip ---------------------------------------------------------------------------- */

/* The window of the day the strips show (state.view: from_us, to_us): the whole day, or a zoom
 * of ZOOMS around the playhead. */
const ZOOMS = [ 24, 6, 1 ].map((hours) => hours * 3600 * S).concat([ 10 * 60 * S ]);

function place(el, view, a, b)
{
    const span = view.to_us - view.from_us;
    el.hidden = b < view.from_us || a > view.to_us;
    el.style.left = (Math.max(0, a - view.from_us) / span * 100) + '%';
    el.style.width =
        (Math.max(0.05, (Math.min(b, view.to_us) - Math.max(a, view.from_us)) / span * 100)) + '%';
    return el;
}

/* Ticks for a window of span: the step and how often a tick is labelled. */
function tickStep(span)
{
    if (span > 12 * 3600 * S)
        return {step : 3600 * S, every : 3};
    if (span > 2 * 3600 * S)
        return {step : 1800 * S, every : 2};
    if (span > 30 * 60 * S)
        return {step : 600 * S, every : 1};
    return {step : 60 * S, every : 2};
}

/* Moves the window to span around centre, inside the day. */
function setView(centre, span)
{
    const d = state.day;
    span = Math.min(span, d.to_us - d.from_us);
    const from = Math.min(Math.max(d.from_us, centre - span / 2), d.to_us - span);
    state.view = {from_us : from, to_us : from + span};
    for (const s of state.strips)
        drawStrip(s, state.days[state.strips.indexOf(s)]);
}

/* Where a zoom centres: the playhead, else the day's last recording, else the window's middle. */
function zoomCentre()
{
    if (nowUs() !== null)
        return nowUs();
    const last = allOf('recorded').sort((a, b) => b.end_us - a.end_us)[0];
    return last ? last.end_us : (state.view.from_us + state.view.to_us) / 2;
}

function causeText(g)
{
    const c = t('tl.cause.' + g.cause);
    return g.reason ? c + '（' + g.reason + '）' : c;
}

function drawStrip(strip, day)
{
    const view = state.view;
    clear(strip);
    strip.dataset.from = view.from_us;
    strip.dataset.to = view.to_us;
    const {step, every} = tickStep(view.to_us - view.from_us);
    const first = view.from_us + ((day.from_us - view.from_us) % step + step) % step;
    for (let us = first; us < view.to_us; us += step) {
        const n = Math.round((us - day.from_us) / step);
        const tick = place(h('div', {class : 'tl-tick' + (n % every ? ' tl-tick-minor' : '')}),
                           view, us, us + 1);
        tick.appendChild(h('span', {}, step >= 3600 * S ? hhmm(us).slice(0, 2) : hhmm(us)));
        strip.appendChild(tick);
    }
    for (const r of day.recorded)
        strip.appendChild(
            place(h('div', {
                      class : 'tl-rec',
                      title : t('tl.recorded', {a : hms(r.start_us), b : hms(r.end_us)})
                  }),
                  view, r.start_us, r.end_us));
    for (const g of day.gaps)
        strip.appendChild(place(
            h('div', {
                class : 'tl-gap tl-gap-' + g.cause,
                'data-cause' : g.cause,
                title : t('tl.gap', {a : hms(g.start_us), b : hms(g.end_us), cause : causeText(g)})
            }),
            view, g.start_us, g.end_us));
    for (const x of day.erased)
        strip.appendChild(place(
            h('div', {
                class : 'tl-erased',
                title :
                    t('tl.erased',
                      {a : hms(x.start_us), b : hms(x.end_us), reason : t('tl.erase.' + x.reason)})
            }),
            view, x.start_us, x.end_us));
    for (const x of day.holds)
        strip.appendChild(place(h('div', {
                                    class : 'tl-hold',
                                    title : t('tl.hold', {
                                        id : x.id,
                                        kind : t('tl.kind.' + x.kind),
                                        a : hms(x.start_us),
                                        b : hms(x.end_us),
                                        reason : x.reason
                                    })
                                }),
                                view, x.start_us, x.end_us));
    strip.appendChild(h('div', {class : 'tl-head', hidden : true}));
}

/* The time at clientX on strip. */
function timeAt(strip, clientX)
{
    const r = strip.getBoundingClientRect();
    const f = Math.min(1, Math.max(0, (clientX - r.left) / r.width));
    return Math.round(state.view.from_us + f * (state.view.to_us - state.view.from_us));
}

function onStrip(strip)
{
    let dragging = false;
    const show = (us) => {
        for (const s of state.strips) {
            const hd = s.querySelector('.tl-head');
            hd.hidden = false;
            place(hd, state.view, us, us + 1);
        }
        state.dragUs = us;
    };
    strip.addEventListener('pointerdown', (e) => {
        dragging = true;
        strip.setPointerCapture(e.pointerId);
        show(timeAt(strip, e.clientX));
    });
    strip.addEventListener('pointermove', (e) => {
        if (dragging)
            show(timeAt(strip, e.clientX));
    });
    strip.addEventListener('pointerup', (e) => {
        if (!dragging)
            return;
        dragging = false;
        playAll(timeAt(strip, e.clientX), state.speed);
    });
}

/* --- one camera's player ------------------------------------------------------------------ */

function be(view, at, n)
{
    let v = 0;
    for (let i = 0; i < n; i++)
        v = v * 256 + view[at + i];
    return v;
}

function ascii(view, at)
{
    return String.fromCharCode(view[at], view[at + 1], view[at + 2], view[at + 3]);
}

/* The codecs string from the moov's sample description. */
function codecOf(moov)
{
    for (let i = 0; i + 8 < moov.length; i++) {
        const k = ascii(moov, i);
        if (k === 'avcC') {
            const hex = (b) => b.toString(16).padStart(2, '0');
            return 'avc1.' + hex(moov[i + 5]) + hex(moov[i + 6]) + hex(moov[i + 7]);
        }
        if (k === 'hvcC')
            return 'hvc1.1.6.L93.B0';
    }
    return 'avc1.42E01E';
}

class Player
{
    constructor(camera, box)
    {
        this.camera = camera;
        this.video = h('video', {
            class : 'tl-video',
            muted : true,
            playsinline : true,
            disablepictureinpicture : true,
            disableremoteplayback : true,
            controlslist : 'nodownload noremoteplayback noplaybackrate',
            'data-camera' : camera
        });
        this.video.muted = true;
        this.video.addEventListener('contextmenu', (e) => e.preventDefault());
        this.timeEl = h('span', {class : 'tl-ftime'});
        this.msg = h('p', {class : 'tl-msg muted small'});
        const s = window.mmConsole.session();
        box.appendChild(
            h('figure', {class : 'tl-player'}, h('figcaption', {}, camera),
              h('div', {class : 'tl-frame'}, this.video,
                h('div', {class : 'tl-overlay', 'aria-live' : 'off'},
                  h('span', {class : 'tl-viewer'}, t('tl.viewer', {name : s.name || s.person})),
                  this.timeEl)),
              this.msg));
        this.anchors = [];
        this.speed = 1;
        this.abort = null;
    }

    /* The footage's time (microseconds) shown now, or null. */
    footageUs()
    {
        const a = this.anchors;
        if (!a.length)
            return null;
        const ct = this.video.currentTime;
        let lo = 0, hi = a.length - 1;
        if (ct < a[0].media)
            return a[0].us;
        while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (a[mid].media <= ct)
                lo = mid;
            else
                hi = mid - 1;
        }
        let us = a[lo].us + (ct - a[lo].media) * this.speed * S;
        if (lo + 1 < a.length)
            us = Math.min(us, a[lo + 1].us);
        return Math.round(us);
    }

    stop()
    {
        if (this.abort)
            this.abort.abort();
        this.abort = null;
        this.video.pause();
        this.video.removeAttribute('src');
        this.video.load();
    }

    /* Plays from fromUs (the keyframe at or before it) at speed, to the day's end. */
    async start(fromUs, speed, purpose)
    {
        this.stop();
        this.anchors = [];
        this.speed = speed;
        this.msg.textContent = '';
        const ctl = new AbortController();
        this.abort = ctl;
        const ms = new MediaSource();
        this.video.src = URL.createObjectURL(ms);
        await new Promise((ok) => ms.addEventListener('sourceopen', ok, {once : true}));
        const to = Math.max(state.day.to_us, fromUs + 60 * S);
        const q = new URLSearchParams({
            from_us : String(fromUs),
            to_us : String(Math.min(to, fromUs + 24 * 3600 * S)),
            speed : String(speed),
            ...purpose
        });
        let res = null;
        for (let i = 0; i < 8; i++) { /* the viewing before may still be ending: busy */
            try {
                res = await fetch(`/api/playback/${encodeURIComponent(this.camera)}?${q}`,
                                  {credentials : 'same-origin', signal : ctl.signal});
            } catch (e) {
                return;
            }
            if (res.status !== 429)
                break;
            await new Promise((ok) => setTimeout(ok, 300));
        }
        if (res.status !== 200) {
            let m = String(res.status);
            try {
                const err = (await res.json()).error;
                m = err.code === 'footage_missing' || err.code === 'footage_altered'
                        ? t('scrub.' + err.code)
                        : err.message;
            } catch (e) {
                /* the status says it */
            }
            if (res.status === 401)
                window.mmConsole.sessionEnded({status : 401, body : null});
            this.msg.textContent = t('tl.refused', {msg : m});
            return;
        }
        this.pump(res.body.getReader(), ms, ctl);
    }

    async pump(reader, ms, ctl)
    {
        let buf = new Uint8Array(0), sb = null, init = [];
        const queue = [];
        const feed = () => {
            if (sb && !sb.updating && queue.length && ms.readyState === 'open')
                sb.appendBuffer(queue.shift());
        };
        for (;;) {
            let r;
            try {
                r = await reader.read();
            } catch (e) {
                return;
            }
            if (ctl.signal.aborted)
                return;
            if (r.done)
                break;
            const more = new Uint8Array(buf.length + r.value.length);
            more.set(buf);
            more.set(r.value, buf.length);
            buf = more;
            let at = 0;
            while (buf.length - at >= 8) {
                const size = be(buf, at, 4), kind = ascii(buf, at + 4);
                if (size < 8 || buf.length - at < size)
                    break;
                const box = buf.subarray(at, at + size);
                at += size;
                if (kind === 'uuid') {
                    this.anchors.push({us : be(box, 24, 8), media : be(box, 32, 8) / HZ});
                } else if (!sb) {
                    init.push(box);
                    if (kind === 'moov') {
                        sb = ms.addSourceBuffer(`video/mp4; codecs="${codecOf(box)}"`);
                        sb.addEventListener('updateend', feed);
                        queue.push(...init.map((b) => b.slice()));
                    }
                } else {
                    queue.push(box.slice());
                }
            }
            buf = buf.slice(at);
            feed();
            this.trim(sb);
            if (this.video.paused && !this.held && this.video.readyState >= 2)
                this.video.play().catch(() => {});
        }
        const end = () => {
            if (sb && (sb.updating || queue.length))
                return setTimeout(end, 100);
            if (ms.readyState === 'open')
                ms.endOfStream();
        };
        end();
    }

    /* Keeps the buffer to the last two minutes behind the playhead. */
    trim(sb)
    {
        const b = this.video.buffered;
        if (!sb || sb.updating || !b.length)
            return;
        const behind = this.video.currentTime - 120;
        if (b.start(0) < behind - 30)
            sb.remove(b.start(0), behind);
    }

    /* One frame forward or back within what is buffered (paused). */
    step(dir)
    {
        const ct = this.video.currentTime, a = this.anchors;
        let target = null;
        if (dir > 0)
            target = a.find((x) => x.media > ct + 1e-4);
        else
            for (const x of a)
                if (x.media < ct - 1e-4)
                    target = x;
        const b = this.video.buffered;
        if (target && b.length && target.media >= b.start(0) && target.media <= b.end(b.length - 1))
            this.video.currentTime = target.media + 1e-3;
    }
}

/* --- the controls -------------------------------------------------------------------------- */

function purposeParams()
{
    const p = state.el.purpose.value;
    if (p !== 'other')
        return {purpose : p};
    return {purpose : state.el.other.value, basis : state.el.basis.value};
}

/* The speed itself, or the fastest below it that the cameras shown can run at together. */
function fitting(speed)
{
    while (speed > 1 && speed * state.players.length > 8)
        speed /= 2;
    return speed;
}

function playAll(fromUs, speed)
{
    speed = fitting(speed);
    state.speed = speed;
    state.held = false;
    for (const p of state.players) {
        p.held = false;
        p.start(fromUs, speed, purposeParams());
    }
    paintControls();
}

function nowUs()
{
    const p = state.players[0];
    return p ? p.footageUs() : null;
}

function paintControls()
{
    const n = Math.max(1, state.players.length);
    for (const b of state.el.speeds) {
        const v = Number(b.dataset.speed);
        b.disabled = v * n > 8;
        b.title = b.disabled ? t('tl.speed_busy') : '';
        b.classList.toggle('current', v === state.speed);
    }
    state.el.play.textContent = state.held ? t('tl.play') : t('tl.pause');
}

function tick()
{
    if (!state)
        return;
    if (!document.body.contains(state.el.root)) { /* another view: the viewings end */
        for (const p of state.players)
            p.stop();
        return;
    }
    for (const p of state.players) {
        const us = p.footageUs();
        p.timeEl.textContent = us ? t('tl.at', {t : fmtUs(us)}) : '';
    }
    const us = nowUs();
    const v = state.view;
    if (us !== null && v && state.zoom && !state.held && (us < v.from_us || us > v.to_us))
        setView(us + (v.to_us - v.from_us) * 0.4, v.to_us - v.from_us); /* the view follows */
    if (us !== null && state.day)
        for (const s of state.strips) {
            const hd = s.querySelector('.tl-head');
            hd.hidden = false;
            place(hd, state.view, us, us + 1);
        }
    state.el.status.textContent = us !== null ? t('tl.at', {t : fmtUs(us)}) : t('tl.idle');
    window.requestAnimationFrame(tick);
}

function jump(list, what)
{
    const us = nowUs() !== null ? nowUs() : state.day.from_us;
    const next = list.filter((x) => x.start_us > us + S).sort((a, b) => a.start_us - b.start_us)[0];
    if (!next) {
        state.el.status.textContent = t('tl.none_after');
        return;
    }
    playAll(what === 'gap' ? Math.max(state.day.from_us, next.start_us - 5 * S) : next.start_us,
            state.speed);
}

function allOf(key)
{
    return state.days.flatMap(
        (d) => d[key].filter((x) => key !== 'gaps' || x.cause !== 'in_progress'));
}

function controls()
{
    const el = state.el;
    el.play = h('button', {type : 'button', class : 'tl-btn', id : 'tl-play'}, t('tl.pause'));
    el.play.addEventListener('click', () => {
        if (nowUs() === null) { /* nothing played yet: the day's first recording */
            const first = allOf('recorded').sort((a, b) => a.start_us - b.start_us)[0];
            if (first)
                playAll(first.start_us, state.speed);
            return;
        }
        state.held = !state.held;
        for (const p of state.players) {
            p.held = state.held;
            if (state.held)
                p.video.pause();
            else
                p.video.play().catch(() => {});
        }
        paintControls();
    });
    el.speeds = [ 1, 2, 4, 8 ].map((v) => {
        const b = h('button', {type : 'button', class : 'tl-btn tl-speed', 'data-speed' : v},
                    t('tl.speed', {n : v}));
        b.addEventListener('click', () => {
            const us = nowUs();
            if (us !== null)
                playAll(us, v);
            else {
                state.speed = v;
                paintControls();
            }
        });
        return b;
    });
    const stepBtn = (dir, key) => {
        const b =
            h('button',
              {type : 'button', class : 'tl-btn', id : 'tl-step-' + (dir > 0 ? 'fwd' : 'back')},
              t(key));
        b.addEventListener('click', () => {
            state.held = true;
            for (const p of state.players) {
                p.held = true;
                p.video.pause();
                p.step(dir);
            }
            paintControls();
        });
        return b;
    };
    const gap =
        h('button', {type : 'button', class : 'tl-btn', id : 'tl-next-gap'}, t('tl.next_gap'));
    gap.addEventListener('click', () => jump(allOf('gaps'), 'gap'));
    const hold =
        h('button', {type : 'button', class : 'tl-btn', id : 'tl-next-hold'}, t('tl.next_hold'));
    hold.addEventListener('click', () => jump(allOf('holds'), 'hold'));
    el.status = h('span', {class : 'tl-status muted', id : 'tl-status'}, t('tl.idle'));
    return h('div', {class : 'tl-controls'}, el.play, ...el.speeds, stepBtn(-1, 'tl.frame_back'),
             stepBtn(1, 'tl.frame_fwd'), gap, hold, el.status);
}

/* --- loading ------------------------------------------------------------------------------- */

async function loadDays()
{
    const el = state.el;
    for (const p of state.players)
        p.stop();
    state.players = [];
    state.strips = [];
    state.days = [];
    clear(el.strips);
    clear(el.videos);
    const chosen = state.cameras.filter((c) => el.boxes[c.id].checked).map((c) => c.id);
    for (const cam of chosen) {
        const res =
            await api('GET', `/api/timeline/${encodeURIComponent(cam)}?day=${el.day.value}`);
        if (window.mmConsole.sessionEnded(res))
            return;
        if (res.status !== 200) {
            el.strips.appendChild(h('p', {class : 'error'},
                                    cam + ': ' + t('tl.error', {code : window.mm.errorCode(res)})));
            continue;
        }
        const day = res.body.result;
        state.day = day;
        state.days.push(day);
        if (state.days.length === 1)
            state.view = {from_us : day.from_us, to_us : day.to_us};
        const strip = h('div', {class : 'tl-strip', 'data-camera' : cam});
        drawStrip(strip, day);
        onStrip(strip);
        state.strips.push(strip);
        el.strips.appendChild(
            h('div', {class : 'tl-row'}, h('span', {class : 'tl-cam'}, cam), strip));
        state.players.push(new Player(cam, el.videos));
    }
    if (state.zoom && state.day)
        setView(zoomCentre(), ZOOMS[state.zoom]);
    state.speed = fitting(state.speed);
    paintControls();
}

/* The zoom and the arrows that move the window by half of it. */
function zoomBox()
{
    const el = state.el;
    el.zoom = h('select', {id : 'tl-zoom', 'aria-label' : t('tl.zoom')},
                ...ZOOMS.map((_, i) => h('option', {value : i}, t('tl.zoom_' + i))));
    el.zoom.addEventListener('change', () => {
        state.zoom = Number(el.zoom.value);
        if (!state.day)
            return;
        if (state.zoom)
            setView(zoomCentre(), ZOOMS[state.zoom]);
        else
            setView(state.day.from_us, state.day.to_us - state.day.from_us);
    });
    const pan = (dir, id, key) => {
        const b = h('button', {type : 'button', class : 'tl-btn', id, title : t(key)},
                    dir < 0 ? '◀' : '▶');
        b.addEventListener('click', () => {
            const v = state.view;
            if (v)
                setView((v.from_us + v.to_us) / 2 + dir * (v.to_us - v.from_us) / 2,
                        v.to_us - v.from_us);
        });
        return b;
    };
    return h('div', {class : 'tl-zoom'}, h('label', {class : 'tl-field'}, t('tl.zoom'), el.zoom),
             pan(-1, 'tl-pan-back', 'tl.pan_back'), pan(1, 'tl-pan-fwd', 'tl.pan_fwd'));
}

function purposeBox()
{
    const el = state.el;
    el.purpose =
        h('select', {id : 'tl-purpose'}, h('option', {value : 'site'}, t('tl.purpose_site')),
          h('option', {value : 'camera'}, t('tl.purpose_camera')),
          h('option', {value : 'other'}, t('tl.purpose_other')));
    el.other = h('input', {
        id : 'tl-purpose-text',
        type : 'text',
        maxlength : 200,
        hidden : true,
        'aria-label' : t('tl.purpose_text')
    });
    el.basis = h('select', {id : 'tl-basis', hidden : true, 'aria-label' : t('tl.basis')},
                 ...['emergency', 'law', 'consent', 'own_images'].map(
                     (b) => h('option', {value : b}, t('tl.basis_' + b))));
    el.purpose.addEventListener(
        'change', () => { el.other.hidden = el.basis.hidden = el.purpose.value !== 'other'; });
    return h('label', {class : 'tl-field'}, t('tl.purpose'), el.purpose, el.other, el.basis);
}

async function render(main)
{
    if (state)
        for (const p of state.players)
            p.stop();
    state = {
        el : {},
        players : [],
        strips : [],
        days : [],
        speed : 1,
        held : true,
        day : null,
        view : null,
        zoom : 0
    };
    const el = state.el;
    el.root = h('section', {class : 'card tl', id : 'timeline'}, h('h1', {}, t('tl.title')),
                h('p', {class : 'hint'}, t('tl.lead')));
    main.appendChild(el.root);
    const res = await api('GET', '/api/timeline');
    if (window.mmConsole.sessionEnded(res))
        return;
    if (res.status !== 200) {
        el.root.appendChild(
            h('p', {class : 'error'}, t('tl.error', {code : window.mm.errorCode(res)})));
        return;
    }
    state.cameras = res.body.result.cameras.filter((c) => c.state !== 'abolished');
    if (!state.cameras.length) {
        el.root.appendChild(h('p', {class : 'muted'}, t('tl.none')));
        return;
    }
    el.day = h('input', {type : 'date', id : 'tl-day', value : today()});
    el.boxes = {};
    const cams =
        h('fieldset', {class : 'tl-cams', id : 'tl-cams'}, h('legend', {}, t('tl.cameras')));
    state.cameras.forEach((c, i) => {
        el.boxes[c.id] = h('input', {type : 'checkbox', value : c.id, checked : i === 0});
        el.boxes[c.id].addEventListener('change', () => {
            const on = state.cameras.filter((x) => el.boxes[x.id].checked);
            if (on.length > MAX_CAMS)
                el.boxes[c.id].checked = false;
            loadDays();
        });
        cams.appendChild(h('label', {}, el.boxes[c.id], ' ' + c.id));
    });
    el.day.addEventListener('change', loadDays);
    const refresh =
        h('button', {type : 'button', class : 'tl-btn', id : 'tl-refresh'}, t('tl.refresh'));
    refresh.addEventListener('click', loadDays);
    el.strips = h('div', {class : 'tl-strips', id : 'tl-strips'});
    el.videos = h('div', {class : 'tl-videos', id : 'tl-videos'});
    const legend = h('p', {class : 'tl-legend small'},
                     ...['rec', 'gap', 'unknown', 'hold', 'erased'].map(
                         (k) => h('span', {class : 'tl-key tl-key-' + k}, t('tl.legend_' + k))));
    el.root.appendChild(h('div', {class : 'tl-form'},
                          h('label', {class : 'tl-field'}, t('tl.day'), el.day), cams, purposeBox(),
                          refresh));
    el.root.appendChild(h('div', {class : 'tl-bar'}, legend, zoomBox()));
    el.root.appendChild(el.strips);
    el.root.appendChild(controls());
    el.root.appendChild(el.videos);
    await loadDays();
    window.requestAnimationFrame(tick);
}

window.mmConsole.view(
    'timeline', {nav : 'nav.timeline', roles : [ 'manager', 'operator', 'emergency' ], render});
})();
