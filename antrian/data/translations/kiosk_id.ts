<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Kiosk (kiosk/ui/kiosk_*.py): English source text, Bahasa Indonesia translation.
     One <context> per class that calls self.tr(); placeholders in braces stay as they are.
     Compiled to .qm at start by kiosk.ui.common.Translations (pyside6-lrelease). -->
<TS version="2.1" language="id_ID" sourcelanguage="en">
<context>
    <name>AgencyScreen</name>
    <message>
        <source>Requirements</source>
        <translation>Persyaratan</translation>
    </message>
    <message>
        <source>← Back</source>
        <translation>← Kembali</translation>
    </message>
    <message>
        <source>Tap a service: your number is issued and printed at once.</source>
        <translation>Sentuh layanan: nomor antrean langsung diterbitkan dan dicetak.</translation>
    </message>
    <message>
        <source>Priority: {group}</source>
        <translation>Prioritas: {group}</translation>
    </message>
</context>
<context>
    <name>HomeScreen</name>
    <message>
        <source>Closed now. Opens again {when}.</source>
        <translation>Sedang tutup. Buka kembali {when}.</translation>
    </message>
    <message>
        <source>Closed now.</source>
        <translation>Sedang tutup.</translation>
    </message>
    <message>
        <source>← Previous</source>
        <translation>← Sebelumnya</translation>
    </message>
    <message>
        <source>Next →</source>
        <translation>Berikutnya →</translation>
    </message>
    <message>
        <source>Page {page} of {pages}</source>
        <translation>Halaman {page} dari {pages}</translation>
    </message>
    <message>
        <source>Choose an agency</source>
        <translation>Pilih instansi</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Batal</translation>
    </message>
    <message>
        <source>Priority service</source>
        <translation>Layanan Prioritas</translation>
    </message>
    <message>
        <source>For {groups}: choose your group first</source>
        <translation>Untuk {groups}: pilih kelompok Anda lebih dahulu</translation>
    </message>
    <message>
        <source>Priority service: {group}</source>
        <translation>Layanan Prioritas: {group}</translation>
    </message>
    <message>
        <source>Now choose the agency below.</source>
        <translation>Sekarang pilih instansi di bawah.</translation>
    </message>
    <message>
        <source>Choose an agency (priority)</source>
        <translation>Pilih instansi (prioritas)</translation>
    </message>
    <message>
        <source>Quota full</source>
        <translation>Kuota habis</translation>
    </message>
    <message>
        <source>Closed now</source>
        <translation>Sedang tutup</translation>
    </message>
</context>
<context>
    <name>KioskVocabulary</name>
    <message>
        <source>Elderly</source>
        <translation>Lansia</translation>
    </message>
    <message>
        <source>Disability</source>
        <translation>Disabilitas</translation>
    </message>
    <message>
        <source>Pregnant women</source>
        <translation>Ibu Hamil</translation>
    </message>
    <message>
        <source>Children</source>
        <translation>Anak</translation>
    </message>
    <message>
        <source>Disaster victims</source>
        <translation>Korban Bencana</translation>
    </message>
    <message>
        <source>{n} waiting</source>
        <translation>{n} menunggu</translation>
    </message>
    <message>
        <source>No priority line for this service</source>
        <translation>Tidak ada jalur prioritas untuk layanan ini</translation>
    </message>
    <message>
        <source>Closed - opens {when}</source>
        <translation>Sedang tutup · buka {when}</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Sedang tutup</translation>
    </message>
    <message>
        <source>Quota full ({issued}/{quota})</source>
        <translation>Kuota habis ({issued}/{quota})</translation>
    </message>
    <message>
        <source>{n} waiting · {left} tickets left</source>
        <translation>{n} menunggu · sisa kuota {left}</translation>
    </message>
    <message>
        <source>soon</source>
        <translation>segera</translation>
    </message>
    <message>
        <source>about {h} h {m} min</source>
        <translation>± {h} jam {m} menit</translation>
    </message>
    <message>
        <source>about {h} h</source>
        <translation>± {h} jam</translation>
    </message>
    <message>
        <source>about {m} min</source>
        <translation>± {m} menit</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <source>Fee: {fee}</source>
        <translation>Biaya: {fee}</translation>
    </message>
    <message>
        <source>Service time: {time}</source>
        <translation>Waktu pelayanan: {time}</translation>
    </message>
    <message>
        <source>Requirements: {service}</source>
        <translation>Persyaratan: {service}</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Tutup</translation>
    </message>
    <message>
        <source>Processing</source>
        <translation>Memproses</translation>
    </message>
    <message>
        <source>The queue system is offline</source>
        <translation>Sistem antrean tidak terhubung</translation>
    </message>
    <message>
        <source>Sorry, no ticket can be issued right now. Please try again in a moment or ask the staff for help.</source>
        <translation>Mohon maaf, tiket tidak dapat diambil saat ini. Silakan coba lagi sebentar lagi atau minta bantuan petugas.</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Something went wrong</source>
        <translation>Terjadi kesalahan</translation>
    </message>
    <message>
        <source>No ticket was issued. Please try again or ask the staff for help.</source>
        <translation>Tidak ada tiket yang diterbitkan. Silakan coba lagi atau minta bantuan petugas.</translation>
    </message>
    <message>
        <source>No priority line</source>
        <translation>Tidak ada jalur prioritas</translation>
    </message>
    <message>
        <source>{service} has no priority line. Please take a normal number from the start screen.</source>
        <translation>Layanan {service} tidak memiliki jalur prioritas. Silakan ambil nomor antrean biasa dari halaman awal.</translation>
    </message>
    <message>
        <source>Quota full</source>
        <translation>Kuota habis</translation>
    </message>
    <message>
        <source>Today's quota for {service} is full ({issued}/{quota}). Please come back on another day or ask the staff.</source>
        <translation>Kuota antrean hari ini untuk layanan {service} sudah habis ({issued}/{quota}). Silakan datang kembali pada hari lain atau tanyakan kepada petugas.</translation>
    </message>
    <message>
        <source>Service closed</source>
        <translation>Layanan sedang tutup</translation>
    </message>
    <message>
        <source>{service} is closed now.</source>
        <translation>Layanan {service} sedang tutup.</translation>
    </message>
    <message>
        <source>It opens {when}.</source>
        <translation>Buka {when}.</translation>
    </message>
    <message>
        <source>The queue system is offline: no tickets can be issued for the moment. Please wait or ask the staff.</source>
        <translation>Sistem antrean tidak terhubung: tiket tidak dapat diambil untuk sementara. Mohon tunggu atau hubungi petugas.</translation>
    </message>
    <message>
        <source>Printer: ticket {number} was not printed ({reason}). Staff: check the printer and reprint it from the staff screen.</source>
        <translation>Printer: tiket {number} tidak tercetak ({reason}). Petugas: periksa printer lalu cetak ulang dari layar petugas.</translation>
    </message>
    <message>
        <source>Printer: the paper roll is nearly finished. Staff: have a new roll ready.</source>
        <translation>Kertas printer hampir habis. Petugas: siapkan gulungan kertas baru.</translation>
    </message>
    <message>
        <source>Printer: out of paper. Staff: load a new roll.</source>
        <translation>Kertas printer habis. Petugas: pasang gulungan kertas baru.</translation>
    </message>
    <message>
        <source>Printer: the cover is open. Staff: close it.</source>
        <translation>Penutup printer terbuka. Petugas: tutup kembali.</translation>
    </message>
    <message>
        <source>Printer: not answering. Staff: check the printer.</source>
        <translation>Printer tidak menjawab. Petugas: periksa printer.</translation>
    </message>
    <message>
        <source>printer offline</source>
        <translation>printer tidak terhubung</translation>
    </message>
    <message>
        <source>connection refused</source>
        <translation>sambungan ditolak</translation>
    </message>
    <message>
        <source>printer not answering</source>
        <translation>printer tidak menjawab</translation>
    </message>
    <message>
        <source>paper out</source>
        <translation>kertas habis</translation>
    </message>
    <message>
        <source>cover open</source>
        <translation>penutup terbuka</translation>
    </message>
    <message>
        <source>connection lost</source>
        <translation>sambungan terputus</translation>
    </message>
    <message>
        <source>printer settings wrong</source>
        <translation>pengaturan printer salah</translation>
    </message>
    <message>
        <source>printer error</source>
        <translation>printer bermasalah</translation>
    </message>
    <message>
        <source>Too many wrong PINs. Try again in a minute.</source>
        <translation>Terlalu banyak PIN salah. Coba lagi dalam satu menit.</translation>
    </message>
    <message>
        <source>Wrong PIN. Try again.</source>
        <translation>PIN salah. Coba lagi.</translation>
    </message>
    <message>
        <source>The database cannot be reached: {error}</source>
        <translation>Database tidak dapat dihubungi: {error}</translation>
    </message>
    <message>
        <source>Reprint failed: {error}</source>
        <translation>Cetak ulang gagal: {error}</translation>
    </message>
    <message>
        <source>Printing {number}...</source>
        <translation>Mencetak {number}...</translation>
    </message>
    <message>
        <source>Ticket {number} was printed again.</source>
        <translation>Tiket {number} sudah dicetak ulang.</translation>
    </message>
    <message>
        <source>Ticket {number} was not printed: {error}</source>
        <translation>Tiket {number} tidak tercetak: {error}</translation>
    </message>
    <message>
        <source>Printing a test ticket...</source>
        <translation>Mencetak tiket uji...</translation>
    </message>
    <message>
        <source>The test ticket was printed.</source>
        <translation>Tiket uji sudah dicetak.</translation>
    </message>
    <message>
        <source>The test ticket was not printed: {error}</source>
        <translation>Tiket uji tidak tercetak: {error}</translation>
    </message>
</context>
<context>
    <name>PinScreen</name>
    <message>
        <source>Staff PIN</source>
        <translation>PIN petugas</translation>
    </message>
    <message>
        <source>Staff PIN to close the kiosk</source>
        <translation>PIN petugas untuk menutup kiosk</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Batal</translation>
    </message>
</context>
<context>
    <name>ResultScreen</name>
    <message>
        <source>Please wait to be called: {zone}</source>
        <translation>Silakan menunggu panggilan: {zone}</translation>
    </message>
    <message>
        <source>Please wait to be called to counter {numbers} ({agency})</source>
        <translation>Silakan menunggu panggilan ke Loket {numbers} ({agency})</translation>
    </message>
    <message>
        <source>Done ({s})</source>
        <translation>Selesai ({s})</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Selesai</translation>
    </message>
    <message>
        <source>Your queue number</source>
        <translation>Nomor antrean Anda</translation>
    </message>
    <message>
        <source>QR code of your ticket</source>
        <translation>Kode QR tiket Anda</translation>
    </message>
    <message>
        <source>Priority: {group}</source>
        <translation>Prioritas: {group}</translation>
    </message>
    <message>
        <source>People ahead of you</source>
        <translation>Antrean di depan Anda</translation>
    </message>
    <message>
        <source>Estimated wait</source>
        <translation>Perkiraan waktu tunggu</translation>
    </message>
    <message>
        <source>The ticket could not be printed. Please take a photo of this number and the QR code.</source>
        <translation>Tiket tidak dapat dicetak. Silakan foto nomor dan kode QR ini.</translation>
    </message>
    <message>
        <source>You can also ask the staff to print it again.</source>
        <translation>Anda juga dapat meminta petugas mencetaknya ulang.</translation>
    </message>
    <message>
        <source>Please take your ticket below and wait for your number to be called.</source>
        <translation>Silakan ambil tiket Anda di bawah, lalu tunggu nomor Anda dipanggil.</translation>
    </message>
    <message>
        <source>Printing your ticket...</source>
        <translation>Mencetak tiket Anda...</translation>
    </message>
</context>
<context>
    <name>StaffScreen</name>
    <message>
        <source>Cancel</source>
        <translation>Batal</translation>
    </message>
    <message>
        <source>the data folder, tickets</source>
        <translation>folder data/tickets</translation>
    </message>
    <message>
        <source>Preview printer ({paper}; PNG files in {where})</source>
        <translation>Printer pratinjau ({paper}; berkas PNG di {where})</translation>
    </message>
    <message>
        <source>Dummy printer ({paper}; nothing is printed)</source>
        <translation>Printer tiruan ({paper}; tidak ada yang dicetak)</translation>
    </message>
    <message>
        <source>Network printer {where} ({details})</source>
        <translation>Printer jaringan {where} ({details})</translation>
    </message>
    <message>
        <source>Printer state: {state}</source>
        <translation>Status printer: {state}</translation>
    </message>
    <message>
        <source>Last print error: {error}</source>
        <translation>Kesalahan cetak terakhir: {error}</translation>
    </message>
    <message>
        <source>Last print error: none</source>
        <translation>Kesalahan cetak terakhir: tidak ada</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>terhubung</translation>
    </message>
    <message>
        <source>NOT reachable</source>
        <translation>TIDAK terhubung</translation>
    </message>
    <message>
        <source>checking...</source>
        <translation>sedang diperiksa...</translation>
    </message>
    <message>
        <source>Database: {state}</source>
        <translation>Database: {state}</translation>
    </message>
    <message>
        <source>Reprint {number}</source>
        <translation>Cetak ulang {number}</translation>
    </message>
    <message>
        <source>not checked yet</source>
        <translation>belum diperiksa</translation>
    </message>
    <message>
        <source>offline (not answering)</source>
        <translation>tidak terhubung (tidak menjawab)</translation>
    </message>
    <message>
        <source>paper out</source>
        <translation>kertas habis</translation>
    </message>
    <message>
        <source>cover open</source>
        <translation>penutup terbuka</translation>
    </message>
    <message>
        <source>ready, paper near end</source>
        <translation>siap, kertas hampir habis</translation>
    </message>
    <message>
        <source>ready (paper level unknown)</source>
        <translation>siap (sisa kertas tidak diketahui)</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>siap</translation>
    </message>
    <message>
        <source>Staff screen</source>
        <translation>Layar petugas</translation>
    </message>
    <message>
        <source>Warning: the kiosk uses the demo PIN 0000. Set a PIN with the command mpp kiosk-pin and put the hash in the station config.</source>
        <translation>Peringatan: kiosk memakai PIN demo 0000. Buat PIN dengan perintah mpp kiosk-pin, lalu masukkan hash-nya ke konfigurasi stasiun.</translation>
    </message>
    <message>
        <source>Ticket printer</source>
        <translation>Printer tiket</translation>
    </message>
    <message>
        <source>Check printer</source>
        <translation>Periksa printer</translation>
    </message>
    <message>
        <source>Print a test ticket</source>
        <translation>Cetak tiket uji</translation>
    </message>
    <message>
        <source>Reprint a ticket</source>
        <translation>Cetak ulang tiket</translation>
    </message>
    <message>
        <source>No unprinted tickets.</source>
        <translation>Tidak ada tiket yang gagal dicetak.</translation>
    </message>
    <message>
        <source>Number (K-012) or QR code</source>
        <translation>Nomor (K-012) atau kode QR</translation>
    </message>
    <message>
        <source>Reprint</source>
        <translation>Cetak ulang</translation>
    </message>
    <message>
        <source>Back to the kiosk</source>
        <translation>Kembali ke kiosk</translation>
    </message>
    <message>
        <source>Close the kiosk</source>
        <translation>Tutup aplikasi kiosk</translation>
    </message>
    <message>
        <source>Clock: this PC's clock jumped {days} days ({day}; last service day {last_day}). No ticket can be issued until the clock is fixed or a supervisor starts the new day in the counter window or the monitor.</source>
        <translation>Jam: jam PC ini melompat {days} hari ({day}; hari layanan terakhir {last_day}). Tiket tidak dapat diterbitkan sampai jam dibetulkan atau supervisor memulai hari baru di jendela loket atau monitor.</translation>
    </message>
</context>
</TS>
