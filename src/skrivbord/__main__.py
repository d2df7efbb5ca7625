from skrivbord.cli import main

main()
