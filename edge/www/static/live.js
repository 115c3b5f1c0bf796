/*
 * live.js: the console's live view — a grid of the site's cameras (#/live) and one camera
 * (#/live/<id>), played through Media Source Extensions from GET /api/live/<id> (fragmented MP4,
 * read with fetch()'s ReadableStream and appended piece by piece). A purpose is chosen first (the
 * site's, the camera's, or another with its legal basis): the edge decides and logs each watch.
 *
 * Looking, not copying (R-N7.3): no controls, no download, no picture-in-picture, no context
 * menu; the viewer's name and the time (the site's zone) are drawn over the video as an overlay.
 * The buffer is kept short: when the video falls more than LAG_S behind the newest frame it jumps
 * to the live edge, and what is older than KEEP_S is removed.
 *
 * window.mmLive.latencies holds, for each fragment appended, the milliseconds from its frame's
 * arrival at the edge (X-Live-Epoch-Us + the fragment's tfdt / 90000) to its append here.
 */
'use strict';
(function() {
const {t, h, api, clear, fmtTime} = window.mm;
const LAG_S = 1.5;
const KEEP_S = 10;
const state = {
    players : [],
    chosen : null,
    clock : null
};
window.mmLive = {
    latencies : [],
    ended : []
};

/* --- MP4 boxes --------------------------------------------------------------------------- */

/* Complete top-level boxes at the start of u8: [{type, start, end}], and where they stop. */
function boxes(u8, from, to)
{
    const out = [];
    const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
    let i = from;
    while (i + 8 <= to) {
        const size = dv.getUint32(i);
        const type = String.fromCharCode(u8[i + 4], u8[i + 5], u8[i + 6], u8[i + 7]);
        if (size < 8 || i + size > to)
            break;
        out.push({type, start : i, end : i + size});
        i += size;
    }
    return {list : out, stop : i};
}

/* A moof's baseMediaDecodeTime (moof/traf/tfdt), or null. */
function tfdt(u8, moof)
{
    const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
    const traf = boxes(u8, moof.start + 8, moof.end).list.find((b) => b.type === 'traf');
    const box = traf && boxes(u8, traf.start + 8, traf.end).list.find((b) => b.type === 'tfdt');
    if (!box)
        return null;
    return u8[box.start + 8] === 1
               ? dv.getUint32(box.start + 12) * 4294967296 + dv.getUint32(box.start + 16)
               : dv.getUint32(box.start + 12);
}

/* --- a player ------------------------------------------------------------------------------ */

class Player
{
    constructor(camera, video, say)
    {
        this.camera = camera;
        this.video = video;
        this.say = say;
        this.abort = new AbortController();
        this.queue = [];
        this.pending = new Uint8Array(0);
        this.stopped = false;
    }

    async start(chosen)
    {
        const q = new URLSearchParams({purpose : chosen.purpose});
        if (chosen.basis)
            q.set('basis', chosen.basis);
        let res;
        try {
            res = await fetch('/api/live/' + encodeURIComponent(this.camera) + '?' + q,
                              {credentials : 'same-origin', signal : this.abort.signal});
        } catch (e) {
            if (!this.stopped)
                this.say(t('live.neterror'), true);
            return;
        }
        if (res.status !== 200) {
            let body = null;
            try {
                body = await res.json();
            } catch (e) {
                body = null;
            }
            if (window.mmConsole.sessionEnded({status : res.status, body}))
                return;
            const err = body && body.error ? body.error : {code : res.status, message : ''};
            this.say(t('live.refused', {code : err.code, msg : err.message}), true);
            return;
        }
        const codec = res.headers.get('X-Live-Codec') || '';
        const mime = 'video/mp4; codecs="' + codec + '"';
        if (!window.MediaSource || !MediaSource.isTypeSupported(mime)) {
            this.abort.abort();
            this.say(t(codec.startsWith('hvc1') ? 'live.no_hevc' : 'live.unsupported', {codec}),
                     true);
            return;
        }
        this.epochMs = Number(res.headers.get('X-Live-Epoch-Us')) / 1000;
        this.video.dataset.codec = codec;
        this.video.dataset.session = res.headers.get('X-Live-Session') || '';
        await this.open(mime);
        this.read(res.body.getReader());
    }

    open(mime)
    {
        return new Promise((resolve) => {
            this.ms = new MediaSource();
            this.url = URL.createObjectURL(this.ms);
            this.ms.addEventListener('sourceopen', () => {
                this.sb = this.ms.addSourceBuffer(mime);
                this.sb.mode = 'segments';
                this.sb.addEventListener('updateend', () => this.next());
                resolve();
            }, {once : true});
            this.video.src = this.url;
        });
    }

    async read(reader)
    {
        for (;;) {
            let r;
            try {
                r = await reader.read();
            } catch (e) {
                break;
            }
            if (r.done)
                break;
            this.take(r.value);
        }
        if (!this.stopped) {
            /* The edge ended the stream (the viewer's right ended, the camera stopped): what is
             * still buffered is not shown either. */
            this.video.pause();
            this.video.removeAttribute('src');
            this.video.load();
            this.video.dataset.ended = '1';
            window.mmLive.ended.push({camera : this.camera, at : Date.now()});
            this.say(t('live.ended'), true);
        }
    }

    /* Bytes in: whole boxes out, ftyp + moov as one piece, moof + mdat as one. */
    take(chunk)
    {
        const u8 = new Uint8Array(this.pending.length + chunk.length);
        u8.set(this.pending);
        u8.set(chunk, this.pending.length);
        const {list, stop} = boxes(u8, 0, u8.length);
        let from = 0;
        for (let i = 0; i < list.length; i++) {
            const b = list[i];
            if (b.type === 'ftyp' || b.type === 'moof')
                continue; /* goes out with the box after it */
            const piece = u8.slice(from, b.end);
            const moof = i > 0 && list[i - 1].type === 'moof' ? list[i - 1] : null;
            const time = moof ? tfdt(u8, moof) : null;
            this.queue.push({piece, time});
            from = b.end;
        }
        this.pending = u8.slice(Math.min(from, stop));
        this.next();
    }

    next()
    {
        if (!this.sb || this.sb.updating || this.stopped)
            return;
        this.keepShort();
        if (this.sb.updating || !this.queue.length)
            return;
        const {piece, time} = this.queue.shift();
        try {
            this.sb.appendBuffer(piece);
        } catch (e) {
            this.say(t('live.append_failed', {msg : e.message}), true);
            return;
        }
        if (time !== null && this.epochMs) {
            const lat = Date.now() - (this.epochMs + time / 90);
            window.mmLive.latencies.push(lat);
            if (window.mmLive.latencies.length > 5000)
                window.mmLive.latencies.splice(0, 1000);
        }
        if (this.video.paused)
            this.video.play().catch(() => {});
    }

    /* Jumps to the live edge when behind; drops what is long past. */
    keepShort()
    {
        const b = this.video.buffered;
        if (!b.length)
            return;
        const end = b.end(b.length - 1);
        if (end - this.video.currentTime > LAG_S)
            this.video.currentTime = Math.max(b.start(b.length - 1), end - 0.2);
        if (this.video.currentTime - b.start(0) > KEEP_S * 2)
            this.sb.remove(0, this.video.currentTime - KEEP_S);
    }

    stop()
    {
        this.stopped = true;
        this.abort.abort();
        if (this.url)
            URL.revokeObjectURL(this.url);
        this.video.removeAttribute('src');
    }
}

/* --- the page ------------------------------------------------------------------------------ */

function stopAll()
{
    for (const p of state.players)
        p.stop();
    state.players = [];
    if (state.clock)
        clearInterval(state.clock);
    state.clock = null;
}

function tile(cam, session, big)
{
    const video = h('video', {
        class : 'live-video',
        muted : true,
        autoplay : true,
        playsinline : true,
        disablepictureinpicture : true,
        disableremoteplayback : true,
        controlslist : 'nodownload nofullscreen noremoteplayback noplaybackrate',
        'data-camera' : cam.id,
    });
    video.muted = true;
    video.addEventListener('contextmenu', (e) => e.preventDefault());
    const note = h('p', {class : 'live-note muted small'});
    const overlay = h('div', {class : 'live-overlay', 'aria-hidden' : 'true'},
                      h('span', {class : 'live-who'}, session.name || session.person),
                      h('span', {class : 'live-time'}, fmtTime(Date.now())));
    const head = h('div', {class : 'live-head'}, h('strong', {}, cam.id),
                   h('span', {class : 'muted small'}, ' ' + (cam.location || '')));
    const box = h('figure', {class : 'live-tile' + (big ? ' big' : ''), 'data-camera' : cam.id},
                  head, h('div', {class : 'live-frame'}, video, overlay), note);
    box.addEventListener('contextmenu', (e) => e.preventDefault());
    if (!big)
        box.addEventListener('click',
                             () => { location.hash = '#/live/' + encodeURIComponent(cam.id); });
    const say = (msg, bad) => {
        note.textContent = msg;
        note.className = 'live-note small ' + (bad ? 'error' : 'muted');
    };
    const p = new Player(cam.id, video, say);
    state.players.push(p);
    p.start(state.chosen);
    return box;
}

function tickClock()
{
    for (const el of document.querySelectorAll('.live-time'))
        el.textContent = fmtTime(Date.now());
}

function chooser(main, info, done)
{
    const other = h('input', {type : 'text', id : 'live-other', maxlength : 200, disabled : true});
    const basis = h('select', {id : 'live-basis', disabled : true},
                    info.bases.map((b) => h('option', {value : b}, t('live.basis.' + b))));
    const pick = h('select', {id : 'live-purpose'},
                   h('option', {value : 'site'}, t('live.p_site', {p : info.purpose})),
                   h('option', {value : 'camera'}, t('live.p_camera')),
                   info.bases.length ? h('option', {value : '*other'}, t('live.p_other')) : null);
    pick.addEventListener('change',
                          () => { other.disabled = basis.disabled = pick.value !== '*other'; });
    const form =
        h('form', {class : 'card live-choose', id : 'live-choose'}, h('h1', {}, t('live.title')),
          h('p', {class : 'muted'}, t('live.why')), h('label', {}, t('live.purpose'), ' ', pick),
          h('label', {}, t('live.other'), ' ', other), h('label', {}, t('live.basis'), ' ', basis),
          h('p', {class : 'muted small'}, t('live.logged')),
          h('button', {type : 'submit', id : 'live-start'}, t('live.start')));
    form.addEventListener('submit', (e) => {
        e.preventDefault();
        state.chosen = pick.value === '*other' ? {purpose : other.value, basis : basis.value}
                                               : {purpose : pick.value, basis : ''};
        done();
    });
    main.appendChild(form);
}

async function render(main, session)
{
    stopAll();
    const res = await api('GET', '/api/live');
    if (window.mmConsole.sessionEnded(res))
        return;
    if (res.status !== 200) {
        main.appendChild(
            h('p', {class : 'error'}, t('live.error', {code : window.mm.errorCode(res)})));
        return;
    }
    const info = res.body;
    const one = decodeURIComponent((location.hash.split('/')[2] || ''));
    const paint = () => {
        clear(main);
        stopAll();
        const cams = info.cameras.filter((c) => c.state === 'recording' && (!one || c.id === one));
        const chosen = state.chosen.basis ? t('live.chosen_other', state.chosen)
                                          : t('live.chosen', {p : state.chosen.purpose});
        main.appendChild(h('section', {class : 'live-bar'},
                           h('h1', {}, one ? t('live.one', {c : one}) : t('live.title')),
                           h('span', {class : 'muted small', id : 'live-chosen'}, chosen),
                           one ? h('a', {href : '#/live'}, t('live.back')) : null));
        if (!cams.length)
            main.appendChild(h('p', {class : 'muted'}, t('live.none')));
        main.appendChild(h('div', {class : one ? 'live-one' : 'live-grid', id : 'live-grid'},
                           cams.map((c) => tile(c, session, !!one))));
        state.clock = setInterval(tickClock, 1000);
    };
    if (state.chosen)
        paint();
    else
        chooser(main, info, paint);
}

window.addEventListener('hashchange', () => {
    if (!location.hash.startsWith('#/live'))
        stopAll();
});
window.mmConsole.view('live',
                      {nav : 'nav.live', roles : [ 'manager', 'operator', 'emergency' ], render});
})();
