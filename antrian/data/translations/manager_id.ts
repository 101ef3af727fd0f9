<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- The hall manager's widgets (reports screen, alert and device panel): Bahasa Indonesia. Source
     text is English (self.tr); contexts are the class names. Report cells come from antrian.reports
     (Indonesian). tests/ui/test_manager_views.py checks that every string has a translation. -->
<TS version="2.1" language="id_ID" sourcelanguage="en">
<context>
    <name>ReportsView</name>
    <message>
        <source>By service</source>
        <translation>Per layanan</translation>
    </message>
    <message>
        <source>By agency</source>
        <translation>Per instansi</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Tampilkan</translation>
    </message>
    <message>
        <source>Export XLSX</source>
        <translation>Ekspor XLSX</translation>
    </message>
    <message>
        <source>Export PDF</source>
        <translation>Ekspor PDF</translation>
    </message>
    <message>
        <source>Choose a period and press Show.</source>
        <translation>Pilih periode lalu tekan Tampilkan.</translation>
    </message>
    <message>
        <source>Chart</source>
        <translation>Grafik</translation>
    </message>
    <message>
        <source>Reading...</source>
        <translation>Membaca...</translation>
    </message>
    <message>
        <source>Save report</source>
        <translation>Simpan laporan</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Dari</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Sampai</translation>
    </message>
    <message>
        <source>Service summary</source>
        <translation>Rekap layanan</translation>
    </message>
    <message>
        <source>Times per service</source>
        <translation>Waktu per layanan</translation>
    </message>
    <message>
        <source>Times per counter</source>
        <translation>Waktu per loket</translation>
    </message>
    <message>
        <source>Times per officer</source>
        <translation>Waktu per petugas</translation>
    </message>
    <message>
        <source>Counter use</source>
        <translation>Utilisasi loket</translation>
    </message>
    <message>
        <source>Bookings</source>
        <translation>Booking</translation>
    </message>
    <message>
        <source>Arrivals</source>
        <translation>Kedatangan</translation>
    </message>
    <message>
        <source>Report failed: {error}</source>
        <translation>Laporan gagal: {error}</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>Tersimpan {path}</translation>
    </message>
    <message>
        <source>Tickets per day</source>
        <translation>Nomor per hari</translation>
    </message>
    <message>
        <source>Arrivals by hour and day</source>
        <translation>Kedatangan per jam dan hari</translation>
    </message>
    <message>
        <source>Satisfaction (IKM)</source>
        <translation>Kepuasan (IKM)</translation>
    </message>
</context>
<context>
    <name>AlertsView</name>
    <message>
        <source>Acknowledge</source>
        <translation>Akui</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Peringatan</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Perangkat</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Log</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Tingkat</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>Peringatan</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>Sejak</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>Diakui</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Jenis</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nama</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Keadaan</translation>
    </message>
    <message>
        <source>Last heard</source>
        <translation>Kabar terakhir</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>Printer</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Versi</translation>
    </message>
    <message>
        <source>Raised</source>
        <translation>Muncul</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>Selesai</translation>
    </message>
    <message>
        <source>{n} open alerts, {u} not acknowledged</source>
        <translation>{n} peringatan terbuka, {u} belum diakui</translation>
    </message>
    <message>
        <source>Alerts unavailable: {error}</source>
        <translation>Peringatan tidak tersedia: {error}</translation>
    </message>
</context>
</TS>
