#![no_main]
//! Frame, datagram and control-message decoders on arbitrary bytes: no panic, and whatever is
//! accepted re-encodes to exactly the input.

use libfuzzer_sys::fuzz_target;
use nightjar_link::wire::control::ControlMsg;
use nightjar_link::wire::datagram::{self, Datagram};
use nightjar_link::wire::frame::{self, Frame, FrameHeader, FRAME_HEADER_LEN};

fuzz_target!(|data: &[u8]| {
    if let Ok(f) = Frame::new_checked(data, 1 << 20) {
        let mut v = Vec::new();
        frame::emit(f.kind(), f.payload(), &mut v).unwrap();
        assert_eq!(v, data);
    }
    if let Some(h) = data.first_chunk::<FRAME_HEADER_LEN>() {
        if let Ok(hdr) = FrameHeader::parse(h, 1 << 20) {
            assert!(hdr.len <= 1 << 20);
            assert_eq!(&hdr.to_bytes(), h);
        }
    }
    if let Ok(d) = Datagram::new_checked(data) {
        assert_eq!(datagram::emit(&d.repr()), data);
    }
    if let Ok(m) = ControlMsg::parse(data) {
        assert_eq!(m.to_bytes(), data);
    }
});
