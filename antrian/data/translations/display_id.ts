<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Hall display (display/window.py), Bahasa Indonesia. Source strings are English.
     Hand-written; compiled to .qm at start by kiosk.ui.common.compiled_translations(). -->
<TS version="2.1" language="id_ID" sourcelanguage="en_GB">
<context>
    <name>DisplayWindow</name>
    <message>
        <source>QUEUE NUMBER</source>
        <translation>NOMOR ANTREAN</translation>
    </message>
    <message>
        <source>Counter {n}</source>
        <translation>Loket {n}</translation>
    </message>
    <message>
        <source>CALLED AGAIN</source>
        <translation>PANGGILAN ULANG</translation>
    </message>
    <message>
        <source>No calls yet</source>
        <translation>Belum ada panggilan</translation>
    </message>
    <message>
        <source>Recent calls</source>
        <translation>Panggilan terakhir</translation>
    </message>
    <message>
        <source>again</source>
        <translation>ulang</translation>
    </message>
    <message>
        <source>Zone: {names}</source>
        <translation>Zona: {names}</translation>
    </message>
    <message>
        <source>Connection lost - retrying</source>
        <translation>Koneksi terputus - mencoba lagi</translation>
    </message>
</context>
</TS>
